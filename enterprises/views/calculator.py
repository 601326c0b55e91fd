"""政策计算器: which current policies an enterprise qualifies for, and why.

``calculator`` is public: a visitor answers a short form and sees the policies they qualify for
or may qualify for (an unanswered question leaves a criterion 待核实). ``my_policies`` is the
logged-in enterprise's own list, from its profile. Both use ``criteria.policies_for``.
"""

from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core import ratelimit
from enterprises import criteria
from enterprises.access import enterprise_required, render_portal
from enterprises.forms import CalculatorForm

SUBMIT = "check"  # the submit button's name: present when the form was answered


def _limits():
    return settings.ENTERPRISE_CALCULATOR_LIMIT, settings.ENTERPRISE_CALCULATOR_WINDOW_SECONDS


def _split(found):
    """(qualifying rows, rows to verify); each row: policy, explanation, summary."""
    rows = [{"policy": p, "explanation": x, "summary": criteria.summary(p)} for p, x in found]
    return ([r for r in rows if r["explanation"].matched is True],
            [r for r in rows if r["explanation"].matched is None])


@require_GET
def calculator(request):
    submitted = SUBMIT in request.GET
    form = CalculatorForm(request.GET if submitted else None)
    context = {"form": form, "submitted": submitted, "submit_name": SUBMIT}
    status = 200
    if submitted:
        limit, window = _limits()
        if ratelimit.over_limit("calculator", ratelimit.client_address(request), limit, window):
            context["refused"] = _("查询过于频繁，请稍后再试。")
            status = 429
        elif form.is_valid():
            matched, maybe = _split(criteria.policies_for(form.profile()))
            context.update({"results": True, "matched": matched, "maybe": maybe})
    return render(request, "enterprises/calculator/calculator.html", context, status=status)


@require_GET
@enterprise_required
def my_policies(request):
    """The enterprise's own list; a 免申即享 policy says whether it was paid (已兑现, amount,
    date) or is waiting (待兑现, the payout deadline)."""
    from enterprises import payouts

    matched, _maybe = _split(criteria.policies_for(request.enterprise))
    standings = payouts.standings(request.enterprise,
                                  [(row["policy"], True) for row in matched])
    for row in matched:
        row["payout"] = standings.get(row["policy"].pk)
    return render_portal(request, "enterprises/calculator/my_policies.html",
                         {"matched": matched}, section="policies")
