"""Models of this app, one module per model family, re-exported here."""

from .categories import Category
from .deadlines import CalendarDay, CalendarYear, TimeLimit, Urgency
from .dispatch import DispatchObjection, DispatchRule
from .pages import HotlineIndexPage
from .repeats import JointHandling, JointMinute
from .tickets import (
    OPEN_STATUSES,
    Alert,
    Channel,
    Satisfaction,
    Status,
    Ticket,
    TicketAssignment,
    TicketAttachment,
    TicketEvent,
    TicketSequence,
)

__all__ = [
    "OPEN_STATUSES", "Alert", "CalendarDay", "CalendarYear", "Category", "Channel", "DispatchObjection",
    "DispatchRule", "HotlineIndexPage", "JointHandling", "JointMinute", "Satisfaction", "Status",
    "Ticket", "TicketAssignment", "TicketAttachment", "TicketEvent", "TicketSequence",
    "TimeLimit", "Urgency",
]
