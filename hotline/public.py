"""What residents see: masking and the public view of a ticket (no staff or caller data)."""

from core.privacy import mask_name, mask_phone
from hotline.models import Status, Ticket


def find_for_tracking(number, phone):
    """The ticket with this number whose caller (or a caller merged into it) has this phone."""
    ticket = Ticket.objects.filter(number=number).select_related(
        "category", "lead_org", "merged_into").first()
    if ticket is None:
        return None
    if ticket.caller_phone == phone:
        return ticket
    if ticket.merged_tickets.filter(caller_phone=phone).exists():
        return ticket
    return None


def public_view(ticket):
    """Everything the tracking page shows, with the caller's data masked."""
    followed = ticket.merged_into if ticket.status == Status.MERGED else ticket
    show_reply = followed.status in (Status.PENDING_CALLBACK, Status.CLOSED) and followed.reply
    events = list(followed.events.filter(public=True).select_related("organisation"))
    if followed.pk != ticket.pk:
        events += list(ticket.events.filter(public=True).select_related("organisation"))
    return {
        "number": ticket.number,
        "status": followed.get_status_display(),
        "merged_into": followed.number if followed.pk != ticket.pk else "",
        "category": ticket.category.name,
        "received_at": ticket.received_at,
        "caller_name": mask_name(ticket.caller_name),
        "caller_phone": mask_phone(ticket.caller_phone),
        "department": str(followed.lead_org) if followed.lead_org else "",
        "deadline": followed.handle_deadline if followed.status == Status.IN_PROGRESS else None,
        "alert": followed.alert if followed.status == Status.IN_PROGRESS else "",
        "reply": followed.reply if show_reply else "",
        "events": [
            {"at": e.created_at, "label": e.label,
             "organisation": str(e.organisation) if e.organisation else "",
             "note": e.note if e.action in ("reply", "close_at_intake") and show_reply else ""}
            for e in sorted(events, key=lambda e: (e.created_at, e.pk))
        ],
    }
