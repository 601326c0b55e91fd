"""Wagtail's older name for ``publish_scheduled``: the same run, with policies checked first."""

from interpretations.management.commands.publish_scheduled import Command  # noqa: F401
