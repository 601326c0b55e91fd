"""Models of this app, one module per model family, re-exported here."""

from .concerns import Concern, Feedback
from .policies import (
    FollowUpInterpretation,
    InterpretationIndexPage,
    PolicyAttachment,
    PolicyIndexPage,
    PolicyPage,
    PolicyPageTag,
    RelatedPolicy,
    Validity,
)
from .publishing import (
    EmergencyPublication,
    ExpertPreviewLink,
    ExpertPreviewOpening,
    PolicyChangeNote,
)
from .signoffs import PackageReviewTask, SignOff
from .support import SupportMaterialsReminder

__all__ = [
    "Concern", "EmergencyPublication", "ExpertPreviewLink", "ExpertPreviewOpening", "Feedback",
    "FollowUpInterpretation", "InterpretationIndexPage", "PackageReviewTask", "PolicyAttachment",
    "PolicyChangeNote", "PolicyIndexPage", "PolicyPage", "PolicyPageTag", "RelatedPolicy",
    "SignOff", "SupportMaterialsReminder", "Validity",
]
