"""Ratings fixtures: a small hotline set-up (category, time limit, one user per role), tickets
walked to 待回访/已办结 through hotline.workflows.perform, a service hall with windows, and
helpers to read rating links from the SMS outbox."""

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from core import roles
from core.models import Message
from hotline import calendar
from hotline import services as hotline_services
from hotline.models import Category, Status, TimeLimit, Urgency
from hotline.workflows import perform
from ratings import services
from ratings.models import ServiceItem, ServiceWindow


@pytest.fixture(autouse=True)
def _fresh(settings):
    settings.PLATFORM = {**settings.PLATFORM, "RATINGS_SMS_WEBHOOK_SECRET": "test-secret"}
    cache.clear()
    calendar.clear_cache()
    hotline_services.clear_catalogue_cache()
    yield
    cache.clear()


@pytest.fixture
def rt(city, make_user):
    orgs = city["orgs"]
    labour = Category.objects.create(name="劳动保障", kind=Category.Kind.HELP)
    wages = Category.objects.create(name="欠薪", parent=labour)
    TimeLimit.objects.create(category=None, urgency=Urgency.NORMAL, sign_hours=4, handle_days=5)
    users = {
        "dispatcher": make_user(roles.DISPATCHER, orgs["hotline"], username="dispatcher"),
        "handler": make_user(roles.HANDLER, orgs["hrss"], username="handler",
                             last_name="郭", first_name="伟"),
        "other_handler": make_user(roles.HANDLER, orgs["housing"], username="housing_handler"),
        "supervisor": make_user(roles.SUPERVISOR, orgs["gov"], username="supervisor"),
    }
    item = ServiceItem.objects.create(name="社会保障卡补办", organisation=orgs["hrss"])
    window = ServiceWindow.objects.create(hall="市民之家", number="8", organisation=orgs["hrss"])
    return {"orgs": orgs, "divisions": city["divisions"], "users": users, "category": wages,
            "item": item, "window": window}


@pytest.fixture
def finished_ticket(rt):
    """finished_ticket(phone=..., status=Status.CLOSED) → a ticket walked there by perform."""
    counter = iter(range(1, 10_000))
    u = rt["users"]

    def factory(phone=None, status=Status.CLOSED):
        n = next(counter)
        ticket = hotline_services.intake(
            channel="phone", caller_name="张三", caller_phone=phone or f"139{n:08d}",
            category=rt["category"], division=rt["divisions"]["street"],
            address=f"解放路{n}号", content=f"公司拖欠三个月工资不发，请帮忙追讨（{n}）",
            user=u["dispatcher"])
        ticket = perform(ticket, "dispatch", u["dispatcher"], lead=rt["orgs"]["hrss"])
        ticket = perform(ticket, "sign", u["handler"])
        ticket = perform(ticket, "reply", u["handler"], reply="已联系用人单位，工资已于本周全部结清。")
        ticket = perform(ticket, "approve_reply", u["dispatcher"])
        if status == Status.CLOSED:
            ticket = perform(ticket, "callback", u["dispatcher"], outcome="reached",
                             satisfaction="satisfied", resolved=True,
                             note="已电话回访，诉求人表示工资已到账。")
        assert ticket.status == status
        return ticket

    return factory


LINK = re.compile(r"/rate/([A-Za-z0-9_\-]+)/")


def token_from_outbox(phone):
    """The raw token of the latest rating link sent to ``phone`` (as the resident sees it: the
    text the SMS provider receives; the stored row keeps the link masked)."""
    from core.messaging import for_delivery

    message = (Message.objects.filter(channel="sms", recipient=phone, kind__startswith="ratings.")
               .order_by("-pk").first())
    assert message is not None, f"no rating SMS to {phone}"
    return LINK.search(for_delivery(message).link).group(1)


@pytest.fixture
def invited(rt, finished_ticket):
    """invited(phone) → (ticket, invitation, raw token) for a closed ticket."""

    def factory(phone="13900001111", status=Status.CLOSED):
        ticket = finished_ticket(phone=phone, status=status)
        from ratings.tasks import invite_finished_tickets

        invite_finished_tickets()
        invitation = services.resolve_token(token_from_outbox(phone))
        return ticket, invitation, token_from_outbox(phone)

    return factory


def days_ago(days):
    return timezone.now() - timedelta(days=days)
