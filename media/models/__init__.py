"""Models of this app, one module per model family, re-exported here."""

from .items import MediaItem, validate_webvtt

__all__ = ["MediaItem", "validate_webvtt"]
