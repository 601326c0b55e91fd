"""Who sees which organisation's data: one rule that every listing and detail view calls."""

from core.roles import CITYWIDE_ROLES, has_role


def organisation_scope(user):
    """Ids of the organisations whose data ``user`` may see, or ``None`` for all of them.

    Superusers, dispatchers and supervisors work city-wide. Everyone else sees their own
    organisation and the ones below it; a user with no organisation sees none.
    """
    if user.is_superuser or has_role(user, *CITYWIDE_ROLES):
        return None
    if not user.is_authenticated or user.organisation_id is None:
        return set()
    # Asked once per page in admin listings: kept on the user object for the request.
    cached = getattr(user, "_organisation_scope", None)
    if cached is None or cached[0] != user.organisation_id:
        cached = (user.organisation_id, frozenset(user.organisation.descendant_ids()))
        user._organisation_scope = cached
    return set(cached[1])


def scope_to_user(queryset, user, field="organisation"):
    """Filter ``queryset`` to the rows whose ``field`` is an organisation ``user`` may see."""
    scope = organisation_scope(user)
    if scope is None:
        return queryset
    return queryset.filter(**{f"{field}__in": scope})


class OrganisationScopedViewMixin:
    """For admin views of a model: rows outside the user's organisation scope do not exist.

    Set ``scope_field`` to the lookup that leads from the model to its organisation.
    """

    scope_field = "organisation"

    def get_base_queryset(self):
        return scope_to_user(super().get_base_queryset(), self.request.user, self.scope_field)

    def get_object(self, queryset=None):
        from django.http import Http404

        obj = super().get_object(*([queryset] if queryset is not None else []))
        model = type(obj)
        visible = scope_to_user(model._default_manager.filter(pk=obj.pk), self.request.user,
                                self.scope_field)
        if not visible.exists():
            raise Http404
        return obj
