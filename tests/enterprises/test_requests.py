"""企业诉求: a request filed in the portal becomes a 12345 ticket on the 政企通 channel linked to
the enterprise and the policy it names; the enterprise sees only its own requests, follows them
and rates a finished one once."""

import pytest

from hotline import services as hotline_services
from hotline.models import Channel, Status, Ticket
from ratings.models import Channel as RatingChannel
from ratings.models import Rating, RatingInvitation
from ratings.tasks import invite_finished_tickets

pytestmark = pytest.mark.django_db

NEW_URL = "/enterprise/requests/new/"


@pytest.fixture
def policy(make_policy):
    return make_policy(publish=True, title="临江市失业保险稳岗返还实施办法")


def request_data(hl, **changes):
    data = {"subject": "稳岗返还资金未到账", "category": hl["cats"]["wages"].pk,
            "content": "我公司去年申请的稳岗返还资金至今未到账，请帮助查询办理进度。",
            "contact_name": "王敏", "contact_phone": "13912345678"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def file(portal, hl, **changes):
    return portal.post(NEW_URL, request_data(hl, **changes))


def detail_url(ticket):
    return f"/enterprise/requests/{ticket.number}/"


def test_filing_a_request_creates_a_zhengqitong_ticket_for_the_enterprise(
        portal, hl, enterprise, policy):
    response = file(portal, hl, policy=policy.pk)
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response.url == detail_url(ticket)
    assert ticket.channel == Channel.ENTERPRISE and ticket.status == Status.PENDING_DISPATCH
    assert ticket.enterprise_credit_code == enterprise.credit_code
    assert ticket.enterprise_name == enterprise.name
    assert ticket.policy_id == policy.pk
    assert ticket.division == enterprise.division
    assert ticket.category == hl["cats"]["wages"]
    assert ticket.caller_name == "王敏" and ticket.caller_phone == "13912345678"
    assert "稳岗返还资金未到账" in ticket.content
    assert ticket.suggested_lead == hl["orgs"]["hrss"]  # the dispatch catalogue applies
    page = portal.get(response.url).content.decode()
    assert ticket.number in page and "待派单" in page and policy.title in page
    assert "通过政企通受理" not in page  # notes of the timeline are not shown, only steps
    assert "受理" in page


def test_the_form_is_prefilled_from_the_profile_and_the_policy_link(portal, hl, enterprise,
                                                                    policy):
    page = portal.get(f"{NEW_URL}?policy={policy.pk}").content.decode()
    assert f'<option value="{policy.pk}" selected>' in page
    assert 'value="王敏"' in page and 'value="13912345678"' in page
    assert policy.title in page and enterprise.credit_code in page


def test_a_link_to_a_policy_that_is_not_live_is_not_prefilled(portal, hl, make_policy):
    draft = make_policy(publish=False, title="尚未发布的政策")
    page = portal.get(f"{NEW_URL}?policy={draft.pk}").content.decode()
    assert "链接中的政策不存在或已下线" in page
    assert "尚未发布的政策" not in page  # not offered in the policy list either
    assert "链接中的政策不存在或已下线" in portal.get(f"{NEW_URL}?policy=abc").content.decode()


def test_naming_a_policy_that_is_not_live_is_refused(portal, hl, make_policy):
    draft = make_policy(publish=False, title="尚未发布的政策")
    response = file(portal, hl, policy=draft.pk)
    assert "所选政策不存在或已下线" in response.content.decode()
    assert not Ticket.objects.exists()


@pytest.mark.parametrize("changes, message", [
    ({"content": "太短了"}, "至少 10 个字"),
    ({"contact_phone": "12345"}, "请填写正确的手机号码"),
    ({"contact_name": ""}, "请填写联系人姓名"),
    ({"subject": ""}, "请填写诉求事项"),
    ({"category": ""}, "请选择诉求分类"),
    ({"category": "999999"}, "请选择有效的诉求分类"),
])
def test_bad_request_input_is_refused_and_nothing_is_filed(portal, hl, enterprise, changes,
                                                           message):
    response = file(portal, hl, **changes)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Ticket.objects.exists()


def test_an_inactive_category_is_refused(portal, hl, enterprise):
    hl["cats"]["wages"].is_active = False
    hl["cats"]["wages"].save()
    response = file(portal, hl)
    assert "请选择有效的诉求分类" in response.content.decode()
    assert not Ticket.objects.exists()


def test_requests_are_rate_limited_per_enterprise(portal, hl, enterprise, settings):
    settings.ENTERPRISE_REQUEST_LIMIT = 2
    assert file(portal, hl).status_code == 302
    assert file(portal, hl, content="第二件诉求：社保补贴申请材料需要哪些，请告知。").status_code == 302
    response = file(portal, hl, content="第三件诉求：希望了解研发费用加计扣除政策。")
    assert "提交过于频繁" in response.content.decode()
    assert Ticket.objects.count() == 2


def test_only_the_enterprises_own_requests_are_listed_and_shown(portal, hl, enterprise,
                                                                other_enterprise):
    def phoned(company, n):
        return hotline_services.intake(
            channel=Channel.PHONE, caller_name="赵六", caller_phone=f"1390000000{n}",
            category=hl["cats"]["wages"], division=company.division,
            content=f"企业反映拖欠工程款问题，请协调处理（{n}）。",
            enterprise_credit_code=company.credit_code, enterprise_name=company.name)

    file(portal, hl)
    own = Ticket.objects.get()  # filed through the portal: its own
    about = phoned(enterprise, 1)  # phoned in about it (涉及企业): not its own, see test_scoping
    other = phoned(other_enterprise, 2)
    anonymous = hotline_services.intake(
        channel=Channel.WEB, caller_name="钱七", caller_phone="13900000003",
        category=hl["cats"]["wages"], division=enterprise.division,
        content="个人诉求，与企业无关的欠薪问题。")
    page = portal.get("/enterprise/requests/").content.decode()
    assert own.number in page
    assert about.number not in page
    assert other.number not in page and anonymous.number not in page
    assert portal.get(detail_url(own)).status_code == 200
    assert portal.get(detail_url(about)).status_code == 404
    assert portal.get(detail_url(other)).status_code == 404
    assert portal.get(detail_url(anonymous)).status_code == 404
    assert portal.post(detail_url(other), {"level": 5}).status_code == 404


def test_the_enterprise_follows_progress_without_internal_steps(portal, hl, enterprise, drive):
    file(portal, hl)
    ticket = drive(Ticket.objects.get(), Status.IN_PROGRESS)
    from hotline.workflows import perform

    perform(ticket, "request_extension", hl["users"]["handler"], days=3,
            reason="需要财政部门核对拨付记录")
    page = portal.get(detail_url(ticket)).content.decode()
    assert "办理中" in page and "市人社局" in page
    for step in ("受理", "派单", "签收"):
        assert step in page
    assert "申请延期" not in page and "需要财政部门核对拨付记录" not in page
    assert "诉求办理完毕、答复经审核后" in page  # not ratable yet
    assert 'name="level"' not in page
    dashboard = portal.get("/enterprise/").content.decode()
    assert ticket.number in dashboard and "办理中" in dashboard


def test_rating_the_own_finished_request_once(portal, hl, enterprise, drive):
    file(portal, hl)
    ticket = drive(Ticket.objects.get(), Status.PENDING_CALLBACK)
    page = portal.get(detail_url(ticket)).content.decode()
    assert "待回访" in page
    assert "已联系用人单位，工资已于本周全部结清。" in page  # the approved reply
    assert 'name="level"' in page
    response = portal.post(detail_url(ticket), {"level": 4, "comment": "办理及时"}, follow=True)
    assert "感谢您的评价" in response.content.decode()
    rating = Rating.objects.get(ticket=ticket)
    assert rating.channel == RatingChannel.PORTAL and rating.level == 4
    assert rating.organisation == hl["orgs"]["hrss"] and rating.comment == "办理及时"
    # The ticket's one invitation is used up: the SMS link cannot rate it again either.
    invitation = RatingInvitation.objects.get(ticket=ticket)
    assert invitation.used_at is not None
    page = portal.get(detail_url(ticket)).content.decode()
    assert "您已于" in page and "满意" in page and 'name="level"' not in page
    again = portal.post(detail_url(ticket), {"level": 1, "reason": "slow"}, follow=True)
    assert "该诉求当前不能评价" in again.content.decode()
    assert Rating.objects.filter(ticket=ticket).count() == 1


def test_rating_uses_the_invitation_already_sent_by_sms(portal, hl, enterprise, drive):
    file(portal, hl)
    ticket = drive(Ticket.objects.get(), Status.CLOSED)
    assert invite_finished_tickets() == 1
    portal.post(detail_url(ticket), {"level": 5})
    assert RatingInvitation.objects.filter(ticket=ticket).count() == 1
    assert RatingInvitation.objects.get(ticket=ticket).used_at is not None
    assert Rating.objects.get(ticket=ticket).level == 5


def test_a_bad_rating_needs_a_reason(portal, hl, enterprise, drive):
    file(portal, hl)
    ticket = drive(Ticket.objects.get(), Status.PENDING_CALLBACK)
    response = portal.post(detail_url(ticket), {"level": 1})
    assert "差评请选择不满意的原因" in response.content.decode()
    assert not Rating.objects.exists()
    assert RatingInvitation.objects.get(ticket=ticket).used_at is None
    portal.post(detail_url(ticket), {"level": 2, "reason": "slow"})
    rating = Rating.objects.get(ticket=ticket)
    assert rating.is_bad and hasattr(rating, "case")  # 差评整改 starts as for any channel


def test_rating_an_unfinished_request_is_refused(portal, hl, enterprise, drive):
    file(portal, hl)
    ticket = drive(Ticket.objects.get(), Status.REPLIED)
    response = portal.post(detail_url(ticket), {"level": 5}, follow=True)
    assert "该诉求当前不能评价" in response.content.decode()
    assert not Rating.objects.exists() and not RatingInvitation.objects.exists()
