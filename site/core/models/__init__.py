"""Shared reference data and site-wide models, one module per model family."""

from .divisions import Division
from .messages import Message
from .organisations import Organisation
from .pages import HomePage, StandardPage
from .submissions import SubmissionToken
from .users import User

__all__ = ["Division", "HomePage", "Message", "Organisation", "StandardPage", "SubmissionToken",
           "User"]
