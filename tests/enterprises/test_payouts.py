"""免申即享 兑现台账: the 60-working-day payout deadline, recording payouts (CSV upload or by
hand, all-or-nothing, idempotent), who may record, what the enterprise sees in its portal, the
eligible list with its payout columns, the deadline reminders and the demo."""

import csv
import io
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from core import roles
from core.models import Message
from enterprises import demo, payouts, tasks
from enterprises.models import Payout, Push
from enterprises.validators import make_credit_code
from tests.conftest import log_in
from tests.enterprises.support import build_enterprise, complete, payout_upload, went_live

pytestmark = pytest.mark.django_db


def local(*args):
    return timezone.make_aware(datetime(*args))


def day(delta=0):
    return (timezone.localdate() + timedelta(days=delta)).isoformat()


@pytest.fixture
def staff(make_user, city):
    orgs = city["orgs"]
    return {
        "editor": make_user(roles.EDITOR, orgs["hrss"], username="hrss_editor"),
        "approver": make_user(roles.APPROVER, orgs["hrss"], username="approver"),
        "above": make_user(roles.APPROVER, orgs["gov"], username="gov_approver"),
        "other": make_user(roles.EDITOR, orgs["housing"], username="housing_editor"),
        "supervisor": make_user(roles.SUPERVISOR, orgs["gov"], username="supervisor"),
    }


@pytest.fixture
def makers(city):
    """Six 电子信息制造 (C39) enterprises the policy lists, and a shop it does not."""
    street = city["divisions"]["street"]
    found = {key: build_enterprise(street, 40 + n, name=f"临江{key}电子有限公司")
             for n, key in enumerate("abcdef")}
    found["shop"] = build_enterprise(street, 49, name="临江百货商店", industry_code="F5211")
    return found


@pytest.fixture
def exempt(make_policy, makers, staff, make_user, sign_off):
    """A 免申即享 policy for C39 drafted by 市人社局, live for 30 days: signed by the department's
    审签人, then by the legality and office reviewers."""
    from interpretations.publishing import workflow_steps

    policy = make_policy(title="电子信息制造企业稳岗奖励", exempt_application=True,
                         audience_industries=["C39"])
    _department, *later = workflow_steps(policy.get_workflow())
    others = [make_user(step.groups.first().name, step.reviewing_organisation) for step in later]
    policy = sign_off(policy, [staff["approver"], *others])
    return went_live(policy, timezone.now() - timedelta(days=30))


def detail_url(policy):
    return reverse("enterprises_exempt:detail", args=[policy.pk])


def upload(client, policy, rows, **options):
    return client.post(reverse("enterprises_exempt:upload", args=[policy.pk]),
                       {"file": payout_upload(rows, **options)})


def ledger(policy):
    return sorted(Payout.objects.filter(policy=policy).values_list(
        "enterprise__credit_code", "amount", "paid_on", "voucher"))


# --- the deadline -------------------------------------------------------------------------------


def test_deadline_counts_working_days_and_skips_the_national_day_holiday(exempt, settings):
    # Live on Wednesday 30 September 2026; 1–7 October are holidays, Saturday 10 October is a
    # make-up working day: the 3rd working day after going live is 10 October.
    went_live(exempt, local(2026, 9, 30, 10))
    settings.ENTERPRISE_PAYOUT_WORKING_DAYS = 3
    assert payouts.deadline(exempt) == local(2026, 10, 10, 18)


def test_deadline_with_the_shipped_sixty_working_days(exempt):
    # The shipped rule, counted by hand: 8, 9 and 10 October (a make-up Saturday) are working
    # days 1–3; the eleven whole weeks from 12 October to 25 December bring 58; Monday 28 and
    # Tuesday 29 December are the 59th and 60th. No holiday falls in November or December.
    went_live(exempt, local(2026, 9, 30, 10))
    due = local(2026, 12, 29, 18)
    assert payouts.deadline(exempt) == due

    before = payouts.figures(exempt, now=local(2026, 10, 9, 12))
    assert before.deadline == due and not before.is_overdue and before.days_left > 50
    assert before.eligible == before.unpaid == 6 and before.overdue == 0
    after = payouts.figures(exempt, now=due + timedelta(minutes=1))
    assert after.is_overdue and after.overdue == 6 and after.days_overdue == 0


def test_figures_count_paid_unpaid_and_overdue(exempt, makers, staff):
    payouts.record(exempt, staff["editor"], [
        payouts.Row(2, makers["a"].credit_code, "1000", day(-2), "V1"),
        payouts.Row(3, makers["b"].credit_code, "250.50", day(-1), "V2")])
    # b changes industry: still paid, no longer eligible.
    makers["b"].industry_code = "F5211"
    makers["b"].save()
    figures = payouts.figures(exempt)
    assert (figures.eligible, figures.paid, figures.paid_eligible, figures.unpaid) == (5, 2, 1, 4)
    assert figures.amount == Decimal("1250.50") and figures.no_longer_eligible == 1
    assert figures.percent == 20 and figures.state == "open" and figures.overdue == 0
    late = payouts.figures(exempt, now=payouts.deadline(exempt) + timedelta(days=1))
    assert late.state == "overdue" and late.overdue == 4


# --- recording ----------------------------------------------------------------------------------


def test_upload_with_errors_is_refused_row_by_row_and_saves_nothing(client, exempt, makers,
                                                                   staff):
    client.force_login(staff["editor"])
    m = makers
    first = timezone.localdate(exempt.first_published_at)
    unknown = make_credit_code(division="439902", body="NX999999")
    response = upload(client, exempt, [
        [m["a"].credit_code, "1200.50", day(-1), "V001"],                  # 2: fine
        [unknown, "100", day(-1), "V002"],                                  # 3
        [m["b"].credit_code, "一百", day(-1), "V003"],                      # 4
        [m["c"].credit_code, "0", day(-1), "V004"],                         # 5
        [m["shop"].credit_code, "100", day(-1), "V005"],                    # 6
        [m["d"].credit_code, "100", day(1), "V006"],                        # 7
        [m["e"].credit_code, "100", (first - timedelta(days=1)).isoformat(), "V007"],  # 8
        [m["a"].credit_code.lower(), "1200.50", day(-1), "V001"],           # 9
        ["91439902ABC", "100", day(-1), "V008"],                             # 10
        [m["f"].credit_code, "100.123", "2026-13-01", ""],                  # 11
        [m["f"].credit_code, "", "", ""],                                    # 12: not paid yet
    ])
    assert response.status_code == 200
    html = response.content.decode()
    assert "未保存任何记录" in html
    for message in [
        f"第 3 行：统一社会信用代码 {unknown} 不在企业档案中。",
        "第 4 行：兑现金额“一百”不是有效的金额。",
        "第 5 行：兑现金额必须大于 0。",
        f"第 6 行：临江百货商店（{m['shop'].credit_code}）不符合该政策的适用条件，不在符合条件企业名单中。",
        f"第 7 行：兑现日期 {day(1)} 晚于今天。",
        f"第 8 行：兑现日期 {(first - timedelta(days=1)).isoformat()} 早于政策首次发布日期 "
        f"{first.isoformat()}。",
        f"第 9 行：统一社会信用代码 {m['a'].credit_code} 与第 2 行重复。",
        "第 10 行：统一社会信用代码“91439902ABC”有误：统一社会信用代码应为18位，当前为11位。",
        "第 11 行：兑现金额最多保留两位小数（单位为元）。",
        "第 11 行：兑现日期“2026-13-01”无效，请按 2026-03-05 的格式填写。",
        "第 11 行：缺少凭证号。",
    ]:
        assert message in html, message
    assert "第 2 行：" not in html and "第 12 行" not in html
    assert Payout.objects.count() == 0


def test_file_problems_are_refused_in_chinese(client, exempt, makers, staff):
    client.force_login(staff["editor"])
    url = reverse("enterprises_exempt:upload", args=[exempt.pk])
    response = upload(client, exempt, [[makers["a"].credit_code, "100"]],
                      header=("统一社会信用代码", "金额"))
    assert "缺少列：兑现日期、凭证号。" in response.content.decode()
    gbk = payout_upload([]).__class__("gbk.csv", "统一社会信用代码,兑现金额,兑现日期,凭证号\n"
                                      .encode("gbk"), content_type="text/csv")
    assert "文件不是 UTF-8 编码" in client.post(url, {"file": gbk}).content.decode()
    assert "请选择要上传的 CSV 文件。" in client.post(url, {}).content.decode()
    assert Payout.objects.count() == 0


def test_uploading_the_same_rows_again_changes_nothing(client, exempt, makers, staff):
    client.force_login(staff["approver"])
    rows = [[makers["a"].credit_code, "1,200.50", day(-3), "LJ-0001"],
            [makers["b"].credit_code, "800", day(-2).replace("-", "/"), "LJ-0002"]]
    response = upload(client, exempt, rows)
    assert response.status_code == 302
    first = ledger(exempt)
    assert [row[1] for row in first] == [Decimal("1200.50"), Decimal("800.00")]
    assert "已登记 2 家企业的兑现记录。" in client.get(response["Location"]).content.decode()

    # The same file again, now with a BOM and the short 金额 header: nothing new.
    response = upload(client, exempt, rows, bom=True, header=("统一社会信用代码", "金额", "兑现日期",
                                                              "凭证号"))
    assert response.status_code == 302
    assert "没有新的兑现记录：2 条均与已登记的记录一致。" in client.get(
        response["Location"]).content.decode()
    assert ledger(exempt) == first

    # The exported list, filled in for one more enterprise, uploads as it is.
    exported = read_csv(client.get(reverse("enterprises_exempt:csv", args=[exempt.pk])))
    header, body = exported[0], exported[1:]
    code_at, amount_at, day_at, voucher_at = (header.index(name) for name in (
        "统一社会信用代码", "兑现金额（元）", "兑现日期", "凭证号"))
    for row in body:
        if row[code_at] == makers["c"].credit_code:
            row[amount_at], row[day_at], row[voucher_at] = "300", day(-1), "LJ-0003"
    response = upload(client, exempt, body, header=header, bom=True)
    assert response.status_code == 302
    assert len(ledger(exempt)) == 3
    assert "另有 2 条与已登记的记录一致，未重复登记。" in client.get(
        response["Location"]).content.decode()

    # A row that contradicts a recorded payout is refused, with nothing saved.
    response = upload(client, exempt, [[makers["a"].credit_code, "999", day(-3), "LJ-0001"],
                                       [makers["d"].credit_code, "100", day(-1), "LJ-0004"]])
    assert "第 2 行：临江a电子有限公司 已登记兑现（1200.50 元" in response.content.decode()
    assert len(ledger(exempt)) == 3


def test_recording_one_payout_by_hand(client, exempt, makers, staff):
    client.force_login(staff["editor"])
    url = reverse("enterprises_exempt:add", args=[exempt.pk])
    response = client.post(url, {"credit_code": makers["shop"].credit_code, "amount": "100",
                                 "paid_on": day(-1), "voucher": "LJ-9"})
    html = response.content.decode()
    assert "临江百货商店" in html and "不符合该政策的适用条件，不在符合条件企业名单中。" in html
    assert 'value="LJ-9"' in html  # what was typed stays in the form
    response = client.post(url, {"credit_code": makers["a"].credit_code, "amount": "",
                                 "paid_on": day(-1), "voucher": "LJ-9"})
    assert "缺少兑现金额。" in response.content.decode()
    assert Payout.objects.count() == 0
    response = client.post(url, {"credit_code": f" {makers['a'].credit_code.lower()} ",
                                 "amount": "1500", "paid_on": day(-1), "voucher": "LJ-9"})
    assert response.status_code == 302
    payout = Payout.objects.get()
    assert (payout.enterprise, payout.amount, payout.recorded_by) == (
        makers["a"], Decimal("1500.00"), staff["editor"])


# --- the page and who may use it ----------------------------------------------------------------


def test_department_sees_progress_deadline_and_records(client, exempt, makers, staff):
    payouts.record(exempt, staff["editor"], [
        payouts.Row(2, makers["a"].credit_code, "1000", day(-1), "V1"),
        payouts.Row(3, makers["b"].credit_code, "500", day(-1), "V2")])
    client.force_login(staff["approver"])
    html = client.get(detail_url(exempt)).content.decode()
    due = payouts.deadline(exempt)
    assert f"兑现期限：<strong>{timezone.localtime(due):%Y-%m-%d}</strong>" in html
    assert f"剩余 {payouts.figures(exempt).days_left} 个工作日" in html
    assert 'aria-valuenow="33"' in html and "已兑现 2 / 6 家（33%）" in html
    assert '<strong data-figure="unpaid">4</strong>' in html
    assert '<strong data-figure="amount">1500.00</strong>' in html
    assert 'id="payout-upload"' in html and 'id="payout-add"' in html
    assert "<svg" in html  # payouts per week

    went_live(exempt, timezone.now() - timedelta(days=200))
    html = client.get(detail_url(exempt)).content.decode()
    assert '<span class="po-overdue">已超期' in html
    assert '<strong data-figure="overdue" class="po-overdue">4</strong>' in html


def test_who_may_see_and_who_may_record(client, exempt, makers, staff, make_user):
    row = [[makers["a"].credit_code, "100", day(-1), "V1"]]
    add = reverse("enterprises_exempt:add", args=[exempt.pk])
    # Another department: the policy does not exist for them.
    client.force_login(staff["other"])
    assert client.get(detail_url(exempt)).status_code == 404
    assert upload(client, exempt, row).status_code == 404
    assert client.post(add, {"credit_code": makers["a"].credit_code}).status_code == 404
    # 督办人 and the organisation above read the progress but cannot record (the admin sends
    # them back).
    for reader in (staff["supervisor"], staff["above"]):
        client.force_login(reader)
        html = client.get(detail_url(exempt)).content.decode()
        assert "兑现进度" in html and 'id="payout-upload"' not in html
        assert "兑现记录由起草部门的编辑、审签人登记" in html
        for response in (upload(client, exempt, row),
                         client.post(add, {"credit_code": makers["a"].credit_code,
                                           "amount": "100", "paid_on": day(-1),
                                           "voucher": "V1"})):
            assert response.status_code == 302 and response["Location"] == "/admin/"
    # Enterprise users never reach the admin.
    client.force_login(make_user(roles.ENTERPRISE))
    response = upload(client, exempt, row)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert Payout.objects.count() == 0
    # The drafting department's editor records.
    client.force_login(staff["editor"])
    assert upload(client, exempt, row).status_code == 302
    assert Payout.objects.count() == 1


def read_csv(response):
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def test_eligible_list_carries_the_payout_columns(client, exempt, makers, staff):
    payouts.record(exempt, staff["editor"], [
        payouts.Row(2, makers["a"].credit_code, "1000", day(-1), "V1")])
    client.force_login(staff["supervisor"])
    rows = read_csv(client.get(reverse("enterprises_exempt:csv", args=[exempt.pk])))
    assert rows[0][-4:] == ["兑现状态", "兑现金额（元）", "兑现日期", "凭证号"]
    by_code = {row[0]: row[-4:] for row in rows[1:]}
    assert by_code[makers["a"].credit_code] == ["已兑现", "1000.00", day(-1), "V1"]
    assert by_code[makers["b"].credit_code] == ["待兑现", "", "", ""]
    went_live(exempt, timezone.now() - timedelta(days=200))
    rows = read_csv(client.get(reverse("enterprises_exempt:csv", args=[exempt.pk])))
    assert {row[-4] for row in rows[1:]} == {"已兑现", "超期未兑现"}


# --- the enterprise's view ----------------------------------------------------------------------


def test_portal_shows_paid_with_amount_and_date_and_unpaid_with_the_deadline(
        portal, enterprise, exempt, make_policy, staff, recording):
    waiting = make_policy(publish=True, title="高新技术企业研发奖励", exempt_application=True,
                          audience_industries=["C39"])
    payouts.record(exempt, staff["editor"], [
        payouts.Row(None, enterprise.credit_code, "8640", day(-2), "LJRS-0001")])
    html = portal.get("/enterprise/policies/").content.decode()
    paid = html.split("电子信息制造企业稳岗奖励", 1)[1].split("</li>\n</ul>", 1)[0]
    assert "已兑现" in paid and f"已于 {day(-2)} 兑现 8640.00 元（凭证号 LJRS-0001）" in paid
    unpaid = html.split("高新技术企业研发奖励", 1)[1]
    due = timezone.localtime(payouts.deadline(waiting))
    assert "待兑现" in unpaid and f"主管部门将于 {due:%Y-%m-%d} 前直接兑现" in unpaid

    # The pushed message about the policy says the same.
    complete(Push.objects.get(policy=exempt))
    item = enterprise.deliveries.get(channel="inbox", push__policy=exempt)
    html = portal.get(f"/enterprise/inbox/{item.pk}/").content.decode()
    assert "免申即享兑现" in html and "兑现 8640.00 元" in html


def test_portal_shows_nothing_to_an_enterprise_the_policy_does_not_list(
        client, make_user, makers, exempt):
    user = make_user(roles.ENTERPRISE, username="shop")
    makers["shop"].users.add(user)
    client.force_login(user)
    html = client.get("/enterprise/policies/").content.decode()
    assert "电子信息制造企业稳岗奖励" not in html and "待兑现" not in html


# --- reminders ----------------------------------------------------------------------------------


def test_department_is_reminded_once_as_the_deadline_nears_and_once_when_it_passed(
        exempt, makers, staff, settings):
    went_live(exempt, local(2026, 6, 1, 10))
    payouts.record(exempt, staff["editor"], [
        payouts.Row(2, makers["a"].credit_code, "1000", "2026-06-05", "V1")],
        now=local(2026, 6, 10, 10))
    staff["editor"].phone = "13700000001"
    staff["editor"].save()
    due = payouts.deadline(exempt)
    assert payouts.remind(due - timedelta(days=40)) == 0  # still far away

    soon = due - timedelta(days=3)
    assert payouts.remind(soon) == 1
    assert payouts.remind(soon) == 0
    notes = Message.objects.filter(kind="enterprises.payout_due_soon", channel="inbox")
    assert {m.user.username for m in notes} == {"hrss_editor", "approver"}
    sms = Message.objects.get(kind="enterprises.payout_due_soon", channel="sms")
    assert sms.recipient == "13700000001"  # staff with a phone hear it by SMS too
    body = notes.first().body
    assert f"兑现期限为 {timezone.localtime(due):%Y-%m-%d}" in body and "尚有 5 家" in body
    assert notes.first().link == detail_url(exempt)

    late = due + timedelta(hours=1)
    assert payouts.remind(late) == 1
    assert payouts.remind(late) == 0
    assert tasks.remind_payouts.delay().get() == 0  # the daily task, today: already sent
    overdue = Message.objects.filter(kind="enterprises.payout_overdue", channel="inbox")
    assert {m.user.username for m in overdue} == {"hrss_editor", "approver", "supervisor"}
    assert "已超过兑现期限" in overdue.first().body
    assert Message.objects.filter(kind__startswith="enterprises.payout").count() == 7


def test_no_reminder_once_everyone_is_paid(exempt, makers, staff):
    went_live(exempt, local(2026, 6, 1, 10))
    payouts.record(exempt, staff["editor"], [
        payouts.Row(n, makers[key].credit_code, "100", "2026-06-05", f"V{n}")
        for n, key in enumerate("abcdef", start=2)], now=local(2026, 6, 10, 10))
    assert payouts.remind(payouts.deadline(exempt) + timedelta(days=1)) == 0
    assert not Message.objects.filter(kind__startswith="enterprises.payout").exists()


# --- demo ---------------------------------------------------------------------------------------


def test_demo_pays_part_of_the_list_including_the_demo_enterprise_once(make_policy, makers,
                                                                      staff, enterprise):
    policy = make_policy(publish=True, slug=demo.PAYOUT_POLICY, exempt_application=True,
                         audience_industries=["C39"])
    went_live(policy, timezone.now() - timedelta(days=20))
    created = demo.build_payouts(enterprise)
    eligible = payouts.figures(policy).eligible
    assert 0 < created < eligible
    assert Payout.objects.filter(policy=policy, enterprise=enterprise).exists()
    first = ledger(policy)
    assert demo.build_payouts(enterprise) == 0
    assert ledger(policy) == first


# --- in Chromium --------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_in_chromium_the_department_uploads_payouts_and_the_enterprise_sees_them(
        live_server, page, browser, exempt, makers, staff, enterprise, portal_user, make_policy,
        tmp_path):
    from tests.conftest import admin_tab, screenshot

    make_policy(publish=True, title="高新技术企业研发设备奖励", exempt_application=True,
                audience_industries=["C39"])
    base = live_server.url
    context, tab = admin_tab(browser, base, "hrss_editor")
    tab.set_viewport_size({"width": 1280, "height": 1900})  # the admin scrolls inside its frame
    tab.goto(base + detail_url(exempt))
    assert "已兑现 0 / 7 家（0%）" in tab.locator("#payout-progress").inner_text()

    def send(name, rows):
        path = tmp_path / name
        path.write_bytes(payout_upload(rows, bom=True).read())
        form = tab.locator("#payout-upload")
        form.get_by_label("兑现记录文件（CSV）").set_input_files(str(path))
        form.get_by_role("button", name="上传并登记").click()
        tab.wait_for_load_state()

    send("有误.csv", [[makers["a"].credit_code, "12000", day(-1), "LJRS-2026-0001"],
                    [makers["shop"].credit_code, "3000", day(-1), "LJRS-2026-0002"],
                    [makers["b"].credit_code, "-5", day(1), "LJRS-2026-0003"]])
    errors = tab.locator("#upload-errors").inner_text()
    assert "第 3 行：临江百货商店" in errors and "第 4 行：兑现金额必须大于 0。" in errors
    assert "第 4 行：兑现日期" in errors and Payout.objects.count() == 0
    screenshot(tab, "payouts-upload-errors")

    send("兑现记录.csv", [[enterprise.credit_code, "8640", day(-6), "LJRS-2026-0001"],
                      [makers["a"].credit_code, "12000", day(-5), "LJRS-2026-0002"],
                      [makers["b"].credit_code, "5400.5", day(-1), "LJRS-2026-0003"]])
    assert "已登记 3 家企业的兑现记录。" in tab.content()
    progress = tab.locator("#payout-progress").inner_text()
    assert "已兑现 3 / 7 家（42%）" in progress and "剩余" in progress
    screenshot(tab, "payouts-progress")
    context.close()

    page.goto(base + "/accounts/login/?next=/enterprise/policies/")
    log_in(page, "company", then=base + "/enterprise/policies/")
    paid = page.locator('[data-payout="paid"]').inner_text()
    assert "已兑现" in paid and "8640.00 元" in paid and day(-6) in paid
    assert "待兑现" in page.locator('[data-payout="waiting"]').inner_text()
    screenshot(page, "enterprise-payouts")
    assert page.problems == []
