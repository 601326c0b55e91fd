"""Repeat requests: candidates by phone or address+category within the window, ranked by text
similarity; 并单 into an open ticket, link to a closed one; 会办 at the threshold."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.models import Message
from hotline import services
from hotline.models import JointHandling, Status
from hotline.workflows import TransitionError, perform

pytestmark = pytest.mark.django_db


def test_candidates_by_phone_and_address_ranked_by_similarity(hl, new_ticket, settings):
    cats = hl["cats"]
    same_phone = new_ticket(caller_phone="13911112222", address="别处1号",
                            content="物业公司乱收停车费，要求退还多收的费用", category=cats["property"])
    same_address = new_ticket(caller_phone="13700000001", address="解放路8号幸福小区",
                              category=cats["property"],
                              content="幸福小区门口垃圾堆放多日无人清理，臭气熏天")
    new_ticket(caller_phone="13700000002", address="解放路8号幸福小区", category=cats["wages"],
               content="幸福小区门口垃圾堆放多日无人清理")  # same address, other category
    old = new_ticket(caller_phone="13911112222", address="x",
                     content="幸福小区门口垃圾堆放多日无人清理",
                     received_at=timezone.now() - timedelta(days=31))
    found = services.repeat_candidates(
        phone="13911112222", address="解放路8号幸福小区", category_id=cats["property"].pk,
        content="幸福小区门口的垃圾又堆放多日无人清理")
    assert [c.ticket for c in found] == [same_address, same_phone]
    assert found[0].similarity > found[1].similarity
    assert found[0].reasons == ["同一地址同一分类"] and found[1].reasons == ["同一来电号码"]
    assert old not in [c.ticket for c in found]
    settings.PLATFORM = {**settings.PLATFORM, "HOTLINE_REPEAT_WINDOW_DAYS": 40}
    assert old in [c.ticket for c in services.repeat_candidates(
        phone="13911112222", address="", category_id=cats["property"].pk, content="垃圾")]


def test_merge_into_open_ticket_adds_the_caller(hl, new_ticket, drive):
    u = hl["users"]
    first = drive(new_ticket(caller_phone="13911110001"), Status.IN_PROGRESS)
    second = new_ticket(caller_phone="13922220002", address=first.address,
                        content=first.content + "，已经第二次反映")
    assert first in [c.ticket for c in services.candidates_for(second)]
    second = perform(second, "merge", u["dispatcher"], target=first.pk)
    assert second.status == Status.MERGED and second.merged_into == first
    assert second.repeat_root == first and services.matter_size(first) == 2
    assert first.events.filter(action="merged_in").exists()
    # merged tickets are not offered again; their open ticket stands for them
    third = new_ticket(caller_phone="13922220002")
    assert second not in [c.ticket for c in services.candidates_for(third)]
    # both callers hear about the answer
    first = drive_rest(first, u)
    for phone in ("13911110001", "13922220002"):
        assert Message.objects.filter(recipient=phone, kind="hotline.replied").exists()


def drive_rest(ticket, u):
    ticket = perform(ticket, "reply", u["handler"], reply="已督促企业整改，欠薪已全部支付完毕。")
    return perform(ticket, "approve_reply", u["dispatcher"])


def test_merge_and_link_check_the_target(hl, new_ticket, drive):
    u = hl["users"]
    closed = drive(new_ticket(), Status.CLOSED)
    open_ = drive(new_ticket(), Status.IN_PROGRESS)
    fresh = new_ticket()
    with pytest.raises(TransitionError, match="关联重复诉求"):
        perform(fresh, "merge", u["dispatcher"], target=closed)
    with pytest.raises(TransitionError, match="并单"):
        perform(fresh, "link_repeat", u["dispatcher"], target=open_)
    with pytest.raises(TransitionError, match="另一件"):
        perform(fresh, "merge", u["dispatcher"], target=fresh)
    fresh = perform(fresh, "link_repeat", u["dispatcher"], target=closed)
    assert fresh.status == Status.PENDING_DISPATCH and fresh.repeat_root == closed
    assert perform(fresh, "dispatch", u["dispatcher"]).status == Status.PENDING_SIGN


def test_third_request_escalates_to_joint_handling_once(hl, new_ticket, drive):
    u = hl["users"]
    root = drive(new_ticket(), Status.CLOSED)
    second = perform(new_ticket(), "link_repeat", u["dispatcher"], target=root)
    assert not JointHandling.objects.exists()
    third = new_ticket()
    perform(third, "merge", u["dispatcher"], target=second)  # merged into the open repeat
    joint = JointHandling.objects.get()
    assert joint.matter == root and joint.repeat_count == 3
    assert joint.responsible_name  # a named person
    assert hl["orgs"]["hrss"] in joint.organisations.all()
    assert joint.deadline > timezone.now()
    assert root.events.filter(action="escalate").exists()
    assert Message.objects.filter(user=u["supervisor"], kind="hotline.joint").count() == 1
    fourth = new_ticket()
    perform(fourth, "merge", u["dispatcher"], target=perform(
        perform(new_ticket(), "link_repeat", u["dispatcher"], target=root), "dispatch",
        u["dispatcher"]))
    assert JointHandling.objects.count() == 1 and services.matter_size(root) == 5


def test_threshold_is_a_setting(hl, new_ticket, drive, settings):
    settings.PLATFORM = {**settings.PLATFORM, "HOTLINE_REPEAT_THRESHOLD": 2}
    root = drive(new_ticket(), Status.CLOSED)
    perform(new_ticket(), "link_repeat", hl["users"]["dispatcher"], target=root)
    assert JointHandling.objects.filter(matter=root).exists()
