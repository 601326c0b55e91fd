from celery import shared_task
from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core import messaging, roles
from core.models import User
from hotline import calendar
from hotline.models import Alert, Status, Ticket

STAGE_DEADLINE = {
    Status.PENDING_SIGN: "sign_deadline",
    Status.IN_PROGRESS: "handle_deadline",
    Status.PENDING_CALLBACK: "callback_deadline",
}


def alert_for(deadline, now, soon):
    if deadline is None:
        return Alert.NONE
    if deadline < now:
        return Alert.OVERDUE
    if deadline <= soon:
        return Alert.DUE_SOON
    return Alert.NONE


@shared_task
def mark_deadlines(now=None, notify=True):
    """Mark open tickets 临期 (yellow) or 超期 (red) by the deadline of their current stage and
    notify the lead department's handlers (and, for 超期, the supervisors) once per change.

    Each change is a conditional update on the old value, so two runs at once never notify
    twice. Returns how many tickets changed.
    """
    now = now or timezone.now()
    soon = calendar.add_working_hours(now, settings.PLATFORM["HOTLINE_DUE_SOON_HOURS"])
    changed = 0
    supervisors = None
    for status, field in STAGE_DEADLINE.items():
        overdue = Q(**{f"{field}__lt": now})
        due_soon = Q(**{f"{field}__gte": now, f"{field}__lte": soon})
        fine = Q(**{f"{field}__gt": soon}) | Q(**{f"{field}__isnull": True})
        for alert, condition in ((Alert.OVERDUE, overdue), (Alert.DUE_SOON, due_soon),
                                 (Alert.NONE, fine)):
            rows = list(Ticket.objects.filter(condition, status=status).exclude(alert=alert)
                        .values("pk", "number", "alert", "lead_org_id", field))
            for row in rows:
                if not Ticket.objects.filter(pk=row["pk"], alert=row["alert"],
                                             status=status).update(alert=alert):
                    continue
                changed += 1
                if not notify or alert == Alert.NONE:
                    continue
                label = Alert(alert).label
                due = timezone.localtime(row[field]).strftime("%Y-%m-%d %H:%M")
                body = _("工单 %(number)s %(label)s（期限 %(due)s），请及时办理。") % {
                    "number": row["number"], "label": label, "due": due}
                people = list(User.objects.filter(organisation_id=row["lead_org_id"],
                                                  groups__name=roles.HANDLER, is_active=True))
                if alert == Alert.OVERDUE:
                    if supervisors is None:
                        supervisors = list(User.objects.filter(groups__name=roles.SUPERVISOR,
                                                               is_active=True))
                    people += supervisors
                messaging.notify_staff(people, body, subject=label, kind=f"hotline.{alert}")
    return changed
