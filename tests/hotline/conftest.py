"""Hotline fixtures: a category tree, time limits, a dispatch catalogue line and one user per
role, plus ``new_ticket`` (intake through the service) and ``drive`` (walk a ticket to a
status through ``perform``). Live policies for tickets to name come from the policy section's
``make_policy(publish=True)`` (signed off through the real workflow)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core import roles
from hotline import services
from hotline.models import Category, DispatchRule, Status, TimeLimit, Urgency
from hotline.workflows import perform
from tests.interpretations.conftest import make_policy, section  # noqa: F401 (fixtures)


@pytest.fixture
def hl(city, make_user):
    orgs, divisions = city["orgs"], city["divisions"]
    housing = Category.objects.create(name="城乡建设", kind=Category.Kind.COMPLAINT)
    property_mgmt = Category.objects.create(name="物业管理", parent=housing)
    labour = Category.objects.create(name="劳动保障", kind=Category.Kind.HELP)
    wages = Category.objects.create(name="欠薪", parent=labour)
    TimeLimit.objects.create(category=None, urgency=Urgency.NORMAL, sign_hours=4, handle_days=15)
    TimeLimit.objects.create(category=None, urgency=Urgency.URGENT, sign_hours=1, handle_days=0)
    TimeLimit.objects.create(category=labour, urgency=Urgency.NORMAL, sign_hours=2,
                             handle_days=3)
    rule = DispatchRule.objects.create(category=housing, lead=orgs["housing"])
    DispatchRule.objects.create(category=housing, division=divisions["district"],
                                lead=orgs["district"]).assisting.add(orgs["housing"])
    DispatchRule.objects.create(category=labour, lead=orgs["hrss"])
    users = {
        "dispatcher": make_user(roles.DISPATCHER, orgs["hotline"], username="dispatcher",
                                last_name="许", first_name="丽"),
        "dispatcher2": make_user(roles.DISPATCHER, orgs["hotline"], username="dispatcher2"),
        "handler": make_user(roles.HANDLER, orgs["hrss"], username="handler",
                             last_name="郭", first_name="伟", phone="13800000004"),
        "other_handler": make_user(roles.HANDLER, orgs["housing"], username="housing_handler"),
        "supervisor": make_user(roles.SUPERVISOR, orgs["gov"], username="supervisor"),
        "editor": make_user(roles.EDITOR, orgs["hrss"], username="editor"),
    }
    return {"orgs": orgs, "divisions": divisions, "users": users, "rule": rule,
            "cats": {"housing": housing, "property": property_mgmt, "labour": labour,
                     "wages": wages}}


@pytest.fixture
def new_ticket(hl):
    counter = iter(range(1, 10_000))

    def factory(**fields):
        n = next(counter)
        data = {
            "channel": "phone", "caller_name": "张三", "caller_phone": f"139{n:08d}",
            "category": hl["cats"]["wages"], "division": hl["divisions"]["street"],
            "address": f"解放路{n}号", "content": f"公司拖欠三个月工资不发，请帮忙追讨（{n}）",
            "user": hl["users"]["dispatcher"],
        }
        data.update(fields)
        return services.intake(**data)

    return factory


@pytest.fixture
def drive(hl):
    """drive(ticket, status) → the ticket moved there by the right people."""
    u = hl["users"]
    steps = {
        Status.PENDING_SIGN: [("dispatch", "dispatcher", {"lead": hl["orgs"]["hrss"]})],
        Status.IN_PROGRESS: [("sign", "handler", {})],
        Status.REPLIED: [("reply", "handler", {"reply": "已联系用人单位，工资已于本周全部结清。"})],
        Status.PENDING_CALLBACK: [("approve_reply", "dispatcher", {})],
        Status.CLOSED: [("callback", "dispatcher", {"outcome": "reached",
                                                   "satisfaction": "satisfied", "resolved": True,
                                                   "note": "诉求人表示工资已到账，满意。"})],
    }
    order = [Status.PENDING_SIGN, Status.IN_PROGRESS, Status.REPLIED, Status.PENDING_CALLBACK,
             Status.CLOSED]

    def walk(ticket, status):
        if status == Status.PENDING_DISPATCH:
            return ticket
        for stage in order[: order.index(status) + 1]:
            for action, who, data in steps[stage]:
                ticket = perform(ticket, action, u[who], **data)
        assert ticket.status == status
        return ticket

    return walk


@pytest.fixture
def future():
    return timezone.now() + timedelta(days=20)


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    from hotline import calendar

    cache.clear()
    calendar.clear_cache()
    services.clear_catalogue_cache()
    yield
    cache.clear()
