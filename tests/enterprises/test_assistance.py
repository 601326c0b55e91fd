"""线下帮办: who may name a helper and record visits, what each role sees, the follow-up
reminder, and what the enterprise sees in the portal."""

import datetime

import pytest
from django.utils import timezone

from core import roles
from core.models import Message
from enterprises import services
from enterprises.models import Assistance, AssistanceVisit
from enterprises.tasks import remind_follow_ups
from hotline.models import Channel, Status

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
LIST_URL = "/admin/enterprises/assistance/"


@pytest.fixture
def request_ticket(new_ticket, enterprise, drive):
    """An enterprise request (filed by the enterprise itself, as the portal files it)
    dispatched to 市人社局 (hrss) and signed."""
    ticket = new_ticket(channel=Channel.ENTERPRISE, enterprise_credit_code=enterprise.credit_code,
                        enterprise_name=enterprise.name, division=enterprise.division,
                        filed_by_enterprise=enterprise, user=None)
    return drive(ticket, Status.IN_PROGRESS)


@pytest.fixture
def helper(make_user, hl):
    return make_user(roles.HANDLER, hl["orgs"]["hrss"], username="helper", last_name="周",
                     first_name="帮")


def url(ticket, action=""):
    return f"/admin/enterprises/assistance/{ticket.pk}/" + (f"{action}/" if action else "")


def login(client, user):
    client.force_login(user)
    return client


def assign(client, ticket, helper, follow_up_on=""):
    return client.post(url(ticket, "assign"), {"helper": helper.pk,
                                                "follow_up_on": str(follow_up_on)}, follow=True)


def visit(client, ticket, **changes):
    data = {"visited_on": str(TODAY), "people": "市人社局 周帮；企业 人事经理 王敏",
            "outcome": "上门核对参保数据，确认返还资金已进入拨付流程。", "follow_up_on": ""}
    data.update(changes)
    return client.post(url(ticket, "visit"), data, follow=True)


def test_dispatcher_names_a_helper_who_is_told_in_app(client, hl, request_ticket, helper):
    login(client, hl["users"]["dispatcher"])
    response = assign(client, request_ticket, helper, TODAY + datetime.timedelta(days=3))
    assert "已指派帮办人：周帮" in response.content.decode()
    assistance = Assistance.objects.get(ticket=request_ticket)
    assert assistance.helper == helper and assistance.created_by == hl["users"]["dispatcher"]
    assert assistance.follow_up_on == TODAY + datetime.timedelta(days=3)
    message = Message.objects.get(user=helper, kind="enterprises.assistance")
    assert request_ticket.number in message.body and message.channel == "inbox"
    assert message.link == url(request_ticket)


def test_the_lead_departments_handler_may_assign_others_may_not(client, hl, request_ticket,
                                                                helper, make_user):
    login(client, hl["users"]["other_handler"])  # 市住建局: not the lead
    assert client.get(url(request_ticket)).status_code == 404
    assert client.post(url(request_ticket, "assign"), {"helper": helper.pk}).status_code == 404
    login(client, hl["users"]["editor"])  # no workbench access at all
    assert client.get(url(request_ticket)).status_code == 404
    assert client.post(url(request_ticket, "assign"), {"helper": helper.pk}).status_code == 404
    refused = client.get(LIST_URL)  # the admin sends users away from pages they may not see
    assert refused.status_code == 302 and refused.url == "/admin/"
    assert not Assistance.objects.exists()
    login(client, hl["users"]["handler"])  # 市人社局 leads the ticket
    assert "已指派帮办人" in assign(client, request_ticket, helper).content.decode()
    assert Assistance.objects.get().helper == helper


def test_a_handler_can_only_name_helpers_of_its_own_organisation(client, hl, request_ticket):
    login(client, hl["users"]["handler"])
    response = assign(client, request_ticket, hl["users"]["other_handler"])
    assert "请选择有效的帮办人" in response.content.decode()
    assert not Assistance.objects.exists()


def test_only_enterprise_requests_get_assistance(hl, new_ticket, helper):
    ticket = new_ticket()  # an ordinary resident's call
    with pytest.raises(services.AssistanceError, match="只有企业诉求"):
        services.assign_helper(ticket, helper, hl["users"]["dispatcher"])


def test_visits_are_recorded_and_the_assistance_closed(client, hl, request_ticket, helper):
    login(client, hl["users"]["dispatcher"])
    assign(client, request_ticket, helper)
    login(client, helper)  # the helper records the visit
    close = client.post(url(request_ticket, "close"), follow=True)
    assert "请先记录至少一次走访" in close.content.decode()
    response = visit(client, request_ticket, follow_up_on=str(TODAY + datetime.timedelta(days=7)))
    page = response.content.decode()
    assert "走访记录已保存" in page and "人事经理 王敏" in page
    saved = AssistanceVisit.objects.get()
    assert saved.recorded_by == helper and saved.visited_on == TODAY
    assert Assistance.objects.get().follow_up_on == TODAY + datetime.timedelta(days=7)
    response = client.post(url(request_ticket, "close"), follow=True)
    assert "线下帮办已完成" in response.content.decode()
    assistance = Assistance.objects.get()
    assert assistance.status == Assistance.Status.CLOSED and assistance.follow_up_on is None
    assert "已完成，不能再记录走访" in visit(client, request_ticket).content.decode()
    assert AssistanceVisit.objects.count() == 1


@pytest.mark.parametrize("changes, message", [
    ({"visited_on": str(TODAY + datetime.timedelta(days=1))}, "走访日期不能晚于今天"),
    ({"visited_on": ""}, "请填写走访日期"),
    ({"visited_on": "2026-02-30"}, "日期格式不正确"),
    ({"people": ""}, "请填写参与人员"),
    ({"outcome": "好"}, "至少 5 个字"),
    ({"follow_up_on": str(TODAY - datetime.timedelta(days=1))}, "下次跟进日期不能早于今天"),
])
def test_bad_visits_are_refused(client, hl, request_ticket, helper, changes, message):
    login(client, hl["users"]["dispatcher"])
    assign(client, request_ticket, helper)
    response = visit(client, request_ticket, **changes)
    assert message in response.content.decode()
    assert not AssistanceVisit.objects.exists()
    assert Assistance.objects.get().follow_up_on is None


def test_a_past_follow_up_date_is_refused(client, hl, request_ticket, helper):
    login(client, hl["users"]["dispatcher"])
    response = assign(client, request_ticket, helper, TODAY - datetime.timedelta(days=2))
    assert "下次跟进日期不能早于今天" in response.content.decode()
    assert not Assistance.objects.exists()


def test_list_is_scoped_and_highlights_overdue_follow_ups(client, hl, request_ticket, helper,
                                                          new_ticket, enterprise, drive):
    services.assign_helper(request_ticket, helper, hl["users"]["dispatcher"])
    Assistance.objects.update(follow_up_on=TODAY - datetime.timedelta(days=2))
    # A second request led by 市住建局.
    housing = new_ticket(channel=Channel.ENTERPRISE, category=hl["cats"]["property"],
                         enterprise_credit_code=enterprise.credit_code,
                         enterprise_name=enterprise.name)
    from hotline.workflows import perform

    housing = perform(housing, "dispatch", hl["users"]["dispatcher"],
                      lead=hl["orgs"]["housing"])
    services.assign_helper(housing, hl["users"]["other_handler"], hl["users"]["dispatcher"],
                           follow_up_on=TODAY)

    login(client, hl["users"]["supervisor"])
    page = client.get(LIST_URL).content.decode()
    assert request_ticket.number in page and housing.number in page
    assert 'class="as-overdue"' in page and "已逾期" in page
    assert 'class="as-today"' in page
    overdue_only = client.get(LIST_URL + "?status=overdue").content.decode()
    assert request_ticket.number in overdue_only and housing.number not in overdue_only

    login(client, hl["users"]["handler"])  # 市人社局 sees only its own
    page = client.get(LIST_URL).content.decode()
    assert request_ticket.number in page and housing.number not in page
    assert client.get(url(housing)).status_code == 404


def test_the_admin_list_offers_requests_waiting_for_a_helper(client, hl, request_ticket):
    login(client, hl["users"]["dispatcher"])
    page = client.get(LIST_URL).content.decode()
    assert "尚未安排帮办的企业诉求" in page and request_ticket.number in page


def test_the_workbench_ticket_page_links_to_its_assistance(client, hl, request_ticket, helper):
    login(client, hl["users"]["dispatcher"])
    page = client.get(f"/admin/hotline/ticket/{request_ticket.pk}/").content.decode()
    assert url(request_ticket) in page


def test_follow_up_reminders_go_to_helpers_once_a_day(hl, request_ticket, helper, new_ticket,
                                                     enterprise):
    services.assign_helper(request_ticket, helper, hl["users"]["dispatcher"], follow_up_on=TODAY)
    later = new_ticket(channel=Channel.ENTERPRISE, enterprise_credit_code=enterprise.credit_code,
                       enterprise_name=enterprise.name)
    services.assign_helper(later, helper, hl["users"]["dispatcher"],
                           follow_up_on=TODAY + datetime.timedelta(days=5))
    assert remind_follow_ups.delay().get() == 1
    assert remind_follow_ups.delay().get() == 0  # a second run the same day sends nothing
    reminders = Message.objects.filter(kind="enterprises.follow_up")
    assert reminders.count() == 1
    reminder = reminders.get()
    assert reminder.user == helper and reminder.channel == "inbox"
    assert request_ticket.number in reminder.body and "今天需要跟进" in reminder.body
    # Still not followed up the next day: reminded again, as overdue.
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    assert services.remind_follow_ups(now=tomorrow) == 1
    assert "已逾期" in Message.objects.filter(kind="enterprises.follow_up").first().body
    # Closed assistance is not reminded.
    AssistanceVisit.objects.create(assistance=request_ticket.assistance, visited_on=TODAY,
                                   people="周帮", outcome="问题已解决，企业满意。")
    services.close_assistance(Assistance.objects.get(ticket=request_ticket), helper)
    assert services.remind_follow_ups(now=tomorrow + datetime.timedelta(days=1)) == 0


def test_the_enterprise_sees_its_helper_visits_and_follow_up(portal, hl, request_ticket, helper):
    services.assign_helper(request_ticket, helper, hl["users"]["dispatcher"],
                           follow_up_on=TODAY + datetime.timedelta(days=10))
    assistance = Assistance.objects.get()
    services.record_visit(assistance, helper, visited_on=TODAY, people="市人社局 周帮",
                          outcome="现场讲解稳岗返还申领流程，企业已补交材料。")
    page = portal.get(f"/enterprise/requests/{request_ticket.number}/").content.decode()
    assert "线下帮办" in page and "周帮" in page
    assert "现场讲解稳岗返还申领流程" in page
    assert (TODAY + datetime.timedelta(days=10)).strftime("%Y-%m-%d") in page
