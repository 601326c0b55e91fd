"""Who may use the enterprise portal, and the context every portal page shares."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import render


def enterprise_for(user):
    """The enterprise a portal user acts for, or None."""
    if not user.is_authenticated:
        return None
    return user.enterprises.first()


def enterprise_required(view):
    """Log in first; then the user must be linked to an enterprise (``request.enterprise``)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        enterprise = enterprise_for(request.user)
        if enterprise is None:
            raise PermissionDenied("该账号未关联企业。")
        request.enterprise = enterprise
        return view(request, *args, **kwargs)

    return wrapper


def render_portal(request, template, context=None, *, section=""):
    from enterprises.models import Delivery

    enterprise = request.enterprise
    unread = Delivery.objects.filter(enterprise=enterprise, channel=Delivery.Channel.INBOX,
                                     status=Delivery.Status.SENT, read_at=None).count()
    return render(request, template, {"enterprise": enterprise, "unread_count": unread,
                                      "portal_section": section, **(context or {})})


# --- staff: a policy's enterprise lists (push campaigns, 免申即享 lists) --------------------------


def may_see_policy_enterprises(user):
    """Superusers, 督办人, and 编辑/审签人 (for their own organisation's policies)."""
    from core.roles import APPROVER, EDITOR, SUPERVISOR, has_role

    return user.is_authenticated and (user.is_superuser
                                      or has_role(user, EDITOR, APPROVER, SUPERVISOR))


def scope_policies(user, policies):
    """The policies of ``policies`` whose matched enterprises ``user`` may see: every one for
    superusers and 督办人, those drafted by their organisation (or one below it) for 编辑 and
    审签人. Anyone else: PermissionDenied."""
    from core.permissions import scope_to_user
    from core.roles import SUPERVISOR, has_role

    if not may_see_policy_enterprises(user):
        raise PermissionDenied
    if user.is_superuser or has_role(user, SUPERVISOR):
        return policies
    return scope_to_user(policies, user, "drafting_department")
