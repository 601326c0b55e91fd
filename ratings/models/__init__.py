"""Models of this app, one module per model family, re-exported here."""

from .cases import Appeal, BadRatingCase, CaseEvent
from .pages import RatingsIndexPage
from .ratings import Channel, Level, Rating, RatingInvitation, Reason
from .rollups import DirtyDay, RatingDay
from .windows import ServiceEvent, ServiceItem, ServiceWindow

__all__ = [
    "Appeal", "BadRatingCase", "CaseEvent", "Channel", "DirtyDay", "RatingDay", "Level", "Rating", "RatingInvitation", "RatingsIndexPage",
    "Reason",
    "ServiceEvent", "ServiceItem", "ServiceWindow",
]
