"""The staff home page's banner while a year's holiday calendar is missing: from
``CALENDAR_WARNING_FROM`` (1 November) until next year's 放假/调休 days are entered (and at once
when the current year's are not), every staff member sees it; those who may enter the calendar
get the link to the year page (``hotline.calendar.missing_year`` decides)."""

from django.urls import reverse
from wagtail.admin.ui.components import Component

from hotline import calendar


class CalendarMissingPanel(Component):
    name = "calendar_missing"
    template_name = "hotline/admin/calendar_missing_panel.html"
    order = 5  # first on the page

    def __init__(self, year):
        self.year = year

    def get_context_data(self, parent_context):
        user = parent_context["request"].user
        url = (f"{reverse('hotline_calendar_year')}?year={self.year}"
               if user.has_perm("hotline.add_calendarday") else "")
        return {"year": self.year, "url": url}


def add_panel(request, panels):
    """The ``construct_homepage_panels`` hook: the banner when a year is missing."""
    year = calendar.missing_year()
    if year is not None and request.user.is_active:
        panels.append(CalendarMissingPanel(year))
