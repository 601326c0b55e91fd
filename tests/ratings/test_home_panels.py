"""好差评 on the staff home page: a handler sees the department's 差评 to call back, to rectify
and those overdue; a supervisor sees every overdue case and the appeals to decide. The counts
equal the cases built here (counted by hand) and link to the case list showing them."""

from datetime import timedelta

import pytest
from django.utils import timezone

from ratings import services
from ratings.models import BadRatingCase, Channel, ServiceItem, ServiceWindow
from ratings.tasks import mark_overdue_cases
from tests.hotline import home_panels as hp

pytestmark = pytest.mark.django_db


def bad_rating(window, item, phone):
    event = services.record_event(window=window, item=item, phone=phone)
    return services.submit_rating(event=event, level=2, reason="attitude", comment="态度冷淡",
                                  channel=Channel.QR, phone_check=phone[-4:]).case


@pytest.fixture
def cases(rt):
    """市人社局: c1 待回访, c2 整改中, c3 回访超期, c4 超期后申诉成立 (finished), c5 申诉待裁定;
    市住建局: c6 整改超期."""
    u, orgs = rt["users"], rt["orgs"]
    housing_item = ServiceItem.objects.create(name="商品房预售许可", organisation=orgs["housing"])
    housing_window = ServiceWindow.objects.create(hall="市民之家", number="12",
                                                  organisation=orgs["housing"])
    c = {}
    for n, name in enumerate(("c1", "c2", "c3", "c4", "c5")):
        c[name] = bad_rating(rt["window"], rt["item"], f"1371234567{n}")
    c["c6"] = bad_rating(housing_window, housing_item, "13712345679")
    for name in ("c2", "c6"):
        services.act_on_case(c[name], "callback",
                             u["handler"] if name == "c2" else u["other_handler"],
                             note="已电话回访，办事人反映窗口人员态度冷淡")
    now = timezone.now()
    BadRatingCase.objects.filter(pk__in=[c["c3"].pk, c["c4"].pk]).update(
        callback_due=now - timedelta(days=1))
    BadRatingCase.objects.filter(pk=c["c6"].pk).update(rectify_due=now - timedelta(days=1))
    mark_overdue_cases(now)
    services.act_on_case(c["c4"], "appeal", u["handler"],
                         reason="办事人当天并未到本窗口办理业务，系误评，有监控记录为证。")
    services.act_on_case(c["c4"], "decide_appeal", u["supervisor"], decision="uphold",
                         reason="经核查监控记录，当天无此办事记录，申诉成立。")
    services.act_on_case(c["c5"], "appeal", u["handler"],
                         reason="办事人所述情况与窗口服务记录不符，申请复核。")
    for case in c.values():
        case.refresh_from_db()
    return c


def listed(client, href):
    """The case ids the case list at ``href`` shows."""
    from bs4 import BeautifulSoup

    html = client.get(href).content.decode()
    rows = BeautifulSoup(html, "html.parser").select("table.rt-table tbody tr a[href]")
    return sorted(int(a["href"].rstrip("/").rsplit("/", 1)[1]) for a in rows)


def ids(*cases):
    return sorted(case.pk for case in cases)


def test_handler_sees_the_departments_cases_to_call_back_rectify_and_overdue(client, rt, cases):
    c = cases
    assert c["c4"].stage == BadRatingCase.Stage.APPEAL_UPHELD and c["c4"].overdue
    html = hp.home(client, rt["users"]["handler"])
    assert hp.counts(html, "ratings-handler") == {"callback": 3, "rectifying": 1, "overdue": 1}
    assert "超期" in hp.row_text(html, "ratings-handler", "overdue")
    assert listed(client, hp.row_link(html, "ratings-handler", "callback")) == ids(
        c["c1"], c["c3"], c["c5"])
    assert listed(client, hp.row_link(html, "ratings-handler", "rectifying")) == ids(c["c2"])
    # Overdue and still open: the case finished by an upheld appeal is not in the list.
    assert listed(client, hp.row_link(html, "ratings-handler", "overdue")) == ids(c["c3"])
    assert hp.section(html, "ratings-supervisor") is None


def test_other_departments_handler_sees_only_its_own(client, rt, cases):
    html = hp.home(client, rt["users"]["other_handler"])
    assert hp.counts(html, "ratings-handler") == {"callback": 0, "rectifying": 1, "overdue": 1}


def test_supervisor_sees_every_overdue_case_and_the_appeals_to_decide(client, rt, cases):
    c = cases
    html = hp.home(client, rt["users"]["supervisor"])
    assert hp.counts(html, "ratings-supervisor") == {"overdue": 2, "appeal": 1}
    assert listed(client, hp.row_link(html, "ratings-supervisor", "overdue")) == ids(
        c["c3"], c["c6"])
    assert listed(client, hp.row_link(html, "ratings-supervisor", "appeal")) == ids(c["c5"])
    assert hp.section(html, "ratings-handler") is None


def test_dispatcher_sees_no_ratings_panel(client, rt, cases):
    html = hp.home(client, rt["users"]["dispatcher"])
    assert hp.section(html, "ratings-handler") is None
    assert hp.section(html, "ratings-supervisor") is None


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_ratings_panels_in_the_browser(live_server, browser, rt, cases):
    c = cases
    context, tab = hp.open_home(browser, live_server, "handler", "home-ratings-handler")
    assert hp.shown_counts(tab, "ratings-handler") == {
        "callback": 3, "rectifying": 1, "overdue": 1}
    assert tab.locator("#home-ratings-supervisor-section").count() == 0
    context.close()

    context, tab = hp.open_home(browser, live_server, "supervisor", "home-ratings-supervisor")
    assert hp.shown_counts(tab, "ratings-supervisor") == {"overdue": 2, "appeal": 1}
    assert tab.locator("#home-ratings-handler-section").count() == 0
    tab.locator('#home-ratings-supervisor-section li[data-row="overdue"] a').click()
    tab.wait_for_url("**/admin/ratings/cases/?overdue=1")
    rows = tab.locator("table.rt-table tbody tr")
    assert rows.count() == 2
    hrefs = {rows.nth(i).locator("a").first.get_attribute("href") for i in range(2)}
    assert hrefs == {f"/admin/ratings/cases/{c['c3'].pk}/", f"/admin/ratings/cases/{c['c6'].pk}/"}
    context.close()
