"""Ratings: one per target and never edited, single-use expiring links, only the person served
rates, staff cannot rate for anyone, defaults after N days, SMS replies, ballot-stuffing."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from core.models import Message
from hotline.models import Status
from ratings import services
from ratings.models import BadRatingCase, Channel, Rating, RatingInvitation
from ratings.tasks import apply_defaults, invite_finished_tickets

from .conftest import token_from_outbox

pytestmark = pytest.mark.django_db


def test_finished_tickets_get_one_sms_invitation_each(rt, finished_ticket):
    closed = finished_ticket(phone="13900000001")
    waiting = finished_ticket(phone="13900000002", status=Status.PENDING_CALLBACK)
    assert invite_finished_tickets() == 2
    assert invite_finished_tickets() == 0  # a second run (or a second worker) sends nothing
    assert RatingInvitation.objects.filter(ticket=closed).count() == 1
    assert RatingInvitation.objects.filter(ticket=waiting).count() == 1
    sms = Message.objects.get(recipient="13900000001", kind="ratings.service")
    assert closed.number in sms.body and "/rate/" in sms.link
    # only the hash of the token is stored
    token = token_from_outbox("13900000001")
    assert not RatingInvitation.objects.filter(token_hash__contains=token).exists()


def test_one_rating_per_target_and_never_edited(invited):
    ticket, invitation, token = invited()
    rating = services.submit_rating(invitation, level=5, channel=Channel.SMS_LINK)
    assert rating.ticket == ticket and rating.level == 5 and not rating.is_default
    # a second rating of the same ticket, by any route, is refused
    with pytest.raises(services.RatingError, match="已评价|已使用"):
        services.submit_rating(invitation, level=1, reason="slow", channel=Channel.SMS_LINK)
    with pytest.raises(IntegrityError), transaction.atomic():
        Rating.objects.create(ticket=ticket, organisation=rating.organisation, item="x",
                              channel=Channel.QR, level=1, served_at=timezone.now(),
                              rated_at=timezone.now())
    # no edits: not through the model, not through a bulk UPDATE (database trigger)
    rating.level = 1
    with pytest.raises(ValidationError):
        rating.save()
    with pytest.raises(DatabaseError), transaction.atomic():
        Rating.objects.filter(pk=rating.pk).update(level=1)
    with pytest.raises(ValidationError):
        rating.delete()
    with pytest.raises(ValidationError):  # in bulk too, on SQLite as on PostgreSQL
        Rating.objects.filter(pk=rating.pk).delete()
    with pytest.raises(ValidationError):
        Rating.objects.all().delete()
    assert Rating.objects.get(pk=rating.pk).level == 5


def test_token_is_single_use(invited, client):
    ticket, invitation, token = invited()
    url = f"/rate/{token}/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"level": 4})
    assert response.status_code == 302
    replay = client.post(url, {"level": 1, "reason": "slow"})
    assert replay.status_code == 410
    assert "已使用" in replay.content.decode()
    assert Rating.objects.get(ticket=ticket).level == 4
    assert Rating.objects.count() == 1


def test_token_expires(invited, client, settings):
    ticket, invitation, token = invited()
    RatingInvitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1))
    response = client.post(f"/rate/{token}/", {"level": 5})
    assert response.status_code == 410 and "已过期" in response.content.decode()
    with pytest.raises(services.RatingError, match="已过期"):
        services.submit_rating(invitation, level=5, channel=Channel.SMS_LINK)
    assert not Rating.objects.exists()


def test_unknown_or_tampered_token_rates_nothing(invited, client):
    invited()
    assert client.post("/rate/forged-token-123/", {"level": 1}).status_code == 410
    assert not Rating.objects.exists()


def test_resident_cannot_rate_someone_elses_service(rt, invited, finished_ticket):
    mine, my_invitation, my_token = invited(phone="13900000001")
    other = finished_ticket(phone="13900000002")
    # my link rates my ticket only: there is no way to point it at another target
    rating = services.submit_rating(my_invitation, level=2, reason="slow",
                                    channel=Channel.SMS_LINK)
    assert rating.ticket == mine and not Rating.objects.filter(ticket=other).exists()
    # an SMS reply from a phone that was not invited rates nothing
    result = services.handle_sms_reply("13900000003", "1")
    assert not result.ok and not Rating.objects.filter(ticket=other).exists()
    # at the window, the QR code asks for the last four digits of the served person's phone
    event = services.record_event(window=rt["window"], item=rt["item"], phone="13712345678")
    with pytest.raises(services.RatingError, match="后四位"):
        services.submit_rating(event=event, level=1, reason="attitude", channel=Channel.QR,
                               phone_check="0000")
    assert not Rating.objects.filter(event=event).exists()
    rating = services.submit_rating(event=event, level=4, channel=Channel.QR,
                                    phone_check="5678")
    assert rating.event == event and rating.organisation == rt["orgs"]["hrss"]


def test_staff_cannot_rate_on_someones_behalf(rt, invited, client):
    ticket, invitation, token = invited()
    handler = rt["users"]["handler"]
    with pytest.raises(services.RatingError, match="工作人员"):
        services.submit_rating(invitation, level=5, channel=Channel.SMS_LINK, user=handler)
    client.force_login(handler)
    response = client.post(f"/rate/{token}/", {"level": 5})
    assert response.status_code == 403 and "工作人员不能代替群众评价" in response.content.decode()
    assert not Rating.objects.exists()
    assert RatingInvitation.objects.get(pk=invitation.pk).used_at is None


def test_a_resident_with_an_enterprise_account_may_rate(rt, invited, client, make_user):
    from core import roles

    ticket, invitation, token = invited()
    client.force_login(make_user(roles.ENTERPRISE, username="company"))
    assert client.post(f"/rate/{token}/", {"level": 5}).status_code == 302
    assert Rating.objects.get().ticket == ticket


def test_bad_rating_needs_a_reason(invited, client):
    ticket, invitation, token = invited()
    response = client.post(f"/rate/{token}/", {"level": 2})
    assert response.status_code == 200 and "差评请选择不满意的原因" in response.content.decode()
    response = client.post(f"/rate/{token}/", {"level": 2, "reason": "other"})
    assert "请填写具体情况" in response.content.decode()
    assert not Rating.objects.exists()
    response = client.post(f"/rate/{token}/", {"level": 2, "reason": "unsolved",
                                               "comment": "工资只发了一半"})
    assert response.status_code == 302
    rating = Rating.objects.get()
    assert rating.is_bad and rating.reason == "unsolved"
    assert BadRatingCase.objects.filter(rating=rating, stage="callback").exists()


def test_bad_rating_on_a_ticket_awaiting_callback_reopens_it(rt, invited):
    ticket, invitation, token = invited(status=Status.PENDING_CALLBACK)
    services.submit_rating(invitation, level=1, reason="unsolved", comment="没有解决",
                           channel=Channel.SMS_LINK)
    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS and ticket.reopen_count == 1
    event = ticket.events.get(action="reopen")
    assert event.actor.username == services.SYSTEM_USERNAME and "没有解决" in event.note
    assert BadRatingCase.objects.get().ticket_reopened
    assert not event.actor.has_usable_password()


def test_late_bad_rating_on_a_closed_ticket_reopens_it(rt, invited):
    ticket, invitation, token = invited(status=Status.CLOSED)
    services.submit_rating(invitation, level=2, reason="unsolved", comment="工资还差一个月",
                           channel=Channel.SMS_LINK)
    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS and ticket.reopen_count == 1
    assert ticket.closed_at is None and ticket.handle_deadline > timezone.now()
    event = ticket.events.get(action="reopen")
    assert event.from_status == Status.CLOSED and "工资还差一个月" in event.note
    assert event.actor.username == services.SYSTEM_USERNAME
    assert BadRatingCase.objects.get().ticket_reopened


def test_default_rating_after_seven_days(rt, invited, settings):
    ticket, invitation, token = invited()
    recent_event = services.record_event(window=rt["window"], item=rt["item"])
    old_event = services.record_event(window=rt["window"], item=rt["item"],
                                      served_at=timezone.now() - timedelta(days=8))
    assert apply_defaults() == 1  # only the 8-day-old window service
    assert Rating.objects.get(event=old_event).is_default
    assert not Rating.objects.filter(event=recent_event).exists()
    later = timezone.now() + timedelta(days=7, minutes=1)
    assert apply_defaults(later) == 2  # the ticket and the recent event
    rating = Rating.objects.get(ticket=ticket)
    assert rating.is_default and rating.level == 3 and rating.channel == Channel.DEFAULT
    assert apply_defaults(later) == 0
    # the resident's link no longer works once the service counts as rated
    with pytest.raises(services.RatingError):
        services.resolve_token(token)


def test_default_rating_starts_on_the_seventh_day_not_before(rt, invited, settings):
    """Unrated after 7 natural days (the shipped setting) → 基本满意 by default: at 6 days
    23 hours the service still waits for the resident, at 7 days it is defaulted."""
    assert settings.PLATFORM["RATINGS_DEFAULT_AFTER_DAYS"] == 7
    ticket, invitation, token = invited()
    served = invitation.served_at
    event = services.record_event(window=rt["window"], item=rt["item"], served_at=served)
    assert apply_defaults(served + timedelta(days=6, hours=23)) == 0
    assert not Rating.objects.exists()
    assert services.resolve_token(token) is not None  # the link still rates
    assert apply_defaults(served + timedelta(days=7)) == 2
    for rating in (Rating.objects.get(ticket=ticket), Rating.objects.get(event=event)):
        assert rating.is_default and rating.level == 3 and rating.channel == Channel.DEFAULT


def test_sms_reply_with_a_digit(rt, invited):
    ticket, invitation, token = invited(phone="13900005555")
    assert not services.handle_sms_reply("13900005555", "很好").ok
    result = services.handle_sms_reply("+86 139 0000 5555", "５")
    assert result.ok
    rating = Rating.objects.get(ticket=ticket)
    assert rating.level == 5 and rating.channel == Channel.SMS_REPLY
    again = services.handle_sms_reply("13900005555", "1")
    assert not again.ok and Rating.objects.get(ticket=ticket).level == 5


def test_sms_webhook_requires_the_secret(rt, invited, client):
    ticket, invitation, token = invited(phone="13900006666")
    denied = client.post("/ratings/sms-reply/", {"phone": "13900006666", "text": "1"})
    assert denied.status_code == 403 and not Rating.objects.exists()
    ok = client.post("/ratings/sms-reply/", {"phone": "13900006666", "text": "2"},
                     headers={"X-Webhook-Secret": "test-secret"})
    assert ok.json()["ok"] is True
    rating = Rating.objects.get(ticket=ticket)
    assert rating.level == 2 and rating.reason == "unspecified"
    assert BadRatingCase.objects.filter(rating=rating).exists()


def test_many_ratings_from_one_device_are_flagged_not_counted(rt, settings):
    from ratings import metrics

    settings.PLATFORM = {**settings.PLATFORM, "RATINGS_STUFFING_THRESHOLD": 3}
    device = services.Client(ip="10.0.0.9", device="same-phone")
    ratings = []
    for i in range(4):
        event = services.record_event(window=rt["window"], item=rt["item"])
        ratings.append(services.submit_rating(event=event, level=1, reason="attitude",
                                              channel=Channel.QR, client=device))
        assert Rating.objects.count() == i + 1
    # the third rating from the same device crosses the threshold: all of them wait for review
    assert set(Rating.objects.values_list("status", flat=True)) == {"flagged"}
    assert metrics.summary()["total"] == 0
    # bad ratings waiting for review open no case until a supervisor clears them
    opened_before = BadRatingCase.objects.count()
    supervisor = rt["users"]["supervisor"]
    with pytest.raises(services.RatingError):
        services.review_rating(ratings[3], rt["users"]["handler"], "clear")
    with pytest.raises(services.RatingError, match="理由"):
        services.review_rating(ratings[3], supervisor, "exclude")
    services.review_rating(ratings[3], supervisor, "clear")
    services.review_rating(ratings[2], supervisor, "exclude", "同一手机连续差评")
    assert metrics.summary()["total"] == 1
    assert BadRatingCase.objects.count() == opened_before + 1
    assert Rating.objects.count() == 4  # nothing deleted


def test_public_rate_limit(rt, invited, client, settings):
    settings.PLATFORM = {**settings.PLATFORM, "RATINGS_SUBMIT_LIMIT": 1}
    _t1, _i1, first = invited(phone="13900000011")
    _t2, _i2, second = invited(phone="13900000012")
    assert client.post(f"/rate/{first}/", {"level": 5}).status_code == 302
    response = client.post(f"/rate/{second}/", {"level": 5})
    assert response.status_code == 200 and "过于频繁" in response.content.decode()
    assert Rating.objects.count() == 1
