"""Creating notifications once, and e-mailing them at once or in a daily digest."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from notifications.models import Delivery, Kind, Notification
from notifications.services import (
    Note,
    digest_send,
    digests_queue,
    mark_all_read,
    mark_read,
    notification_email_send,
    notify,
    preference_set,
)
from outbox.models import OutboxMessage
from tests.notifications.helpers import run_waiting_email

pytestmark = pytest.mark.django_db

NOTE = Note(
    kind=Kind.QUERY_OVERDUE,
    key="query_overdue:query-1:2026-11-21",
    title="HMSC100-A01-0001: query open for 8 days",
    body="A query has been open for 8 days.",
    link="/screening/queries/1/",
)


def test_the_same_key_twice_makes_one_notification(coordinator_a: Any) -> None:
    assert len(notify(recipients=[coordinator_a], note=NOTE)) == 1
    assert notify(recipients=[coordinator_a, coordinator_a], note=NOTE) == []
    assert Notification.objects.filter(recipient=coordinator_a).count() == 1


def test_the_same_key_for_another_person_is_their_own(
    coordinator_a: Any, investigator_a: Any
) -> None:
    notify(recipients=[coordinator_a], note=NOTE)
    assert len(notify(recipients=[coordinator_a, investigator_a], note=NOTE)) == 1
    assert Notification.objects.count() == 2


def test_inactive_people_are_not_notified(coordinator_a: Any) -> None:
    coordinator_a.is_active = False
    coordinator_a.save()
    assert notify(recipients=[coordinator_a], note=NOTE) == []


def test_in_app_only_by_default_queues_no_email(coordinator_a: Any) -> None:
    notify(recipients=[coordinator_a], note=NOTE)
    assert not OutboxMessage.objects.exists()
    assert run_waiting_email() == 0
    assert mail.outbox == []


def test_email_at_once_is_queued_with_the_notification_and_sent_once(
    coordinator_a: Any, settings: Any
) -> None:
    settings.SITE_URL = "https://eligo.example.org/"
    preference_set(user=coordinator_a, delivery=Delivery.IMMEDIATE)
    [row] = notify(recipients=[coordinator_a], note=NOTE)
    message = OutboxMessage.objects.get()
    assert message.arguments == {"notification_id": row.pk}
    assert run_waiting_email() == 1
    [email] = mail.outbox
    assert email.to == ["coord.a@example.org"]
    assert email.subject == f"[Eligo] {NOTE.title}"
    assert "https://eligo.example.org/screening/queries/1/" in email.body
    assert notification_email_send(notification_id=row.pk) == "already sent"
    assert len(mail.outbox) == 1
    row.refresh_from_db()
    assert row.emailed_at is not None


def test_no_address_no_email(coordinator_a: Any) -> None:
    coordinator_a.email = ""
    coordinator_a.save()
    preference_set(user=coordinator_a, delivery=Delivery.IMMEDIATE)
    [row] = notify(recipients=[coordinator_a], note=NOTE)
    assert not OutboxMessage.objects.exists()
    assert notification_email_send(notification_id=row.pk) == "no address"


def test_a_preference_outside_the_choices_is_refused(coordinator_a: Any) -> None:
    with pytest.raises(ValueError, match="delivery: 'sms' is not one of"):
        preference_set(user=coordinator_a, delivery="sms")


def test_the_digest_lists_what_was_not_emailed_yet_once(
    coordinator_a: Any, investigator_a: Any
) -> None:
    preference_set(user=coordinator_a, delivery=Delivery.DIGEST)
    notify(recipients=[coordinator_a, investigator_a], note=NOTE)
    second = Note(kind=Kind.WASHOUT_SOON, key="washout_soon:screening-1:2026-11-26", title="Two")
    notify(recipients=[coordinator_a], note=second)
    assert not OutboxMessage.objects.exists()  # a digest, not at once
    later = timezone.now() + timedelta(seconds=1)
    assert digests_queue(before=later) == 1  # the investigator wants no e-mail
    assert digests_queue(before=later) == 1  # the same day: the same waiting work
    assert OutboxMessage.objects.count() == 1
    assert run_waiting_email() == 1
    [email] = mail.outbox
    assert email.subject == "[Eligo] 2 notifications"
    assert NOTE.title in email.body
    assert "Two" in email.body
    assert digest_send(user_id=coordinator_a.pk, before=later) == 0
    assert digests_queue(before=later + timedelta(days=1)) == 0


def test_marking_read_is_for_ones_own(coordinator_a: Any, investigator_a: Any) -> None:
    [mine] = notify(recipients=[coordinator_a], note=NOTE)
    assert mark_read(user=investigator_a, notification_id=mine.pk) is None
    mine.refresh_from_db()
    assert mine.read_at is None
    assert mark_read(user=coordinator_a, notification_id=mine.pk) is not None
    notify(
        recipients=[coordinator_a, investigator_a], note=Note(kind=NOTE.kind, key="k2", title="x")
    )
    assert mark_all_read(user=coordinator_a) == 1
    assert Notification.objects.filter(read_at__isnull=True).count() == 1
