"""Models of this app, one module per model family, re-exported here."""

from .assistance import Assistance, AssistanceVisit
from .changes import ProfileChange
from .criteria import AudienceCriteria, QualificationMode
from .enterprises import Enterprise, Frequency, OperatingStatus, Qualification, SizeClass
from .industries import Industry
from .payouts import Payout, PayoutReminder
from .push import Delivery, Push

__all__ = [
    "Assistance", "AssistanceVisit", "AudienceCriteria", "Delivery", "Enterprise", "Frequency",
    "Industry", "OperatingStatus", "Payout", "PayoutReminder", "ProfileChange", "Push",
    "Qualification", "QualificationMode", "SizeClass",
]
