"""好差评 on the staff home page (see ``hotline.panels``): a department's 差评整改 for its
handlers, overdue cases and appeals to decide for the supervisors. Every count is read through
the case list's own filters (``admin_views.filtered_cases``), so it is the number of rows the
link shows."""

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import roles
from hotline.models import Alert
from hotline.panels import Row, WorkPanel
from ratings.admin_views import filtered_cases
from ratings.models import BadRatingCase


def case_row(user, key, label, badge="", **params):
    """The number of cases the list 差评整改 shows with ``params``, linking to it."""
    return Row(key, label, filtered_cases(user, params).count(),
               f"{reverse('ratings_cases')}?{urlencode(params)}", badge=badge)


class CaseHandlerPanel(WorkPanel):
    """承办人: the department's 差评 to call back and to rectify, and those overdue."""

    name = "ratings-handler"
    roles = (roles.HANDLER,)
    heading = gettext_lazy("差评整改")
    order = 45

    def rows(self, user):
        return [
            case_row(user, "callback", _("待回访核实"), stage=BadRatingCase.Stage.CALLBACK),
            case_row(user, "rectifying", _("整改中"), stage=BadRatingCase.Stage.RECTIFYING),
            case_row(user, "overdue", _("差评整改超期"), badge=Alert.OVERDUE, overdue=1),
        ]


class CaseSupervisorPanel(WorkPanel):
    """督办人: 差评整改 past their deadline (报送督办) and appeals waiting for a decision."""

    name = "ratings-supervisor"
    roles = (roles.SUPERVISOR,)
    heading = gettext_lazy("好差评督办")
    order = 45

    def rows(self, user):
        return [
            case_row(user, "overdue", _("差评整改超期"), badge=Alert.OVERDUE, overdue=1),
            case_row(user, "appeal", _("申诉待裁定"), appeal=1),
        ]
