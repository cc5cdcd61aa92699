"""Creating notifications once, reading them, and sending them by e-mail.

``notify`` is the only way a notification is made. Its ``key`` is unique per
recipient in the database: a second call with the same key (a job run twice, two
workers racing) finds the first row instead of adding one (``get_or_create``: the
insert runs in a savepoint and a unique-constraint violation reads the winner's
row). Only the call that created the row queues its e-mail.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.models import User
from audit.services import audit_record
from notifications.models import Delivery, Notification, NotificationPreference
from outbox.services import Message, outbox_enqueue

EMAIL_TASK = "notifications.tasks.email_notification"
DIGEST_TASK = "notifications.tasks.email_digest"


@dataclass(frozen=True)
class Note:
    """What to tell: ``key`` names the thing, the kind and the day-bucket."""

    kind: str
    key: str
    title: str
    body: str = ""
    link: str = ""


def delivery_of(user: User) -> str:
    preference = NotificationPreference.objects.filter(user=user).first()
    return preference.delivery if preference else Delivery.IN_APP


@transaction.atomic
def notify(*, recipients: Iterable[User], note: Note) -> list[Notification]:
    """Tell each recipient (inactive users are skipped); returns the notifications
    created by this call — none for recipients who already had this key."""
    created_rows = []
    now = timezone.now()
    for user in {user.pk: user for user in recipients if user.is_active}.values():
        row, created = Notification.objects.get_or_create(
            recipient=user,
            key=note.key,
            defaults={
                "kind": note.kind,
                "title": note.title[:200],
                "body": note.body,
                "link": note.link,
                "created_at": now,
            },
        )
        if not created:
            continue
        created_rows.append(row)
        if user.email and delivery_of(user) == Delivery.IMMEDIATE:
            outbox_enqueue(
                messages=[
                    Message(
                        task=EMAIL_TASK,
                        arguments={"notification_id": row.pk},
                        key=f"notifications.email:{row.pk}",
                    )
                ]
            )
    return created_rows


def mark_read(*, user: User, notification_id: int) -> Notification | None:
    """Mark one of the user's own notifications read; ``None`` if it is not theirs."""
    row = Notification.objects.filter(pk=notification_id, recipient=user).first()
    if row is None:
        return None
    if row.read_at is None:
        row.read_at = timezone.now()
        row.save(update_fields=["read_at"])
    return row


def mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


@transaction.atomic
def preference_set(*, user: User, delivery: str) -> NotificationPreference:
    """Save how ``user`` wants to be told; a change is audited (it decides what e-mail
    leaves the hospital), saving the same choice again records nothing."""
    if delivery not in Delivery.values:
        raise ValueError(f"delivery: {delivery!r} is not one of {', '.join(Delivery.values)}")
    old = delivery_of(user)
    preference, _ = NotificationPreference.objects.update_or_create(
        user=user, defaults={"delivery": delivery}
    )
    if old != delivery:
        audit_record(
            actor=user,
            action="notifications.preference.changed",
            obj=preference,
            changes={
                "delivery": {
                    "old": Delivery(old).label,
                    "new": Delivery(delivery).label,
                    "label": "Notifications",
                }
            },
        )
    return preference


def absolute(link: str) -> str:
    """A path inside Eligo as an address an e-mail can carry (``SITE_URL``)."""
    if not link:
        return ""
    return f"{settings.SITE_URL.rstrip('/')}{link}"


@transaction.atomic
def notification_email_send(*, notification_id: int) -> str:
    """Send one notification by e-mail, once: ``"sent"``, or why not. The row is locked
    while it is sent, so two workers handed the same task send it once."""
    row = (
        Notification.objects.select_for_update()
        .select_related("recipient")
        .filter(pk=notification_id)
        .first()
    )
    if row is None:
        return "gone"
    if row.emailed_at is not None:
        return "already sent"
    if not row.recipient.email or not row.recipient.is_active:
        return "no address"
    body = render_to_string(
        "notifications/email.txt",
        {"items": [(row, absolute(row.link))], "user": row.recipient, "digest": False},
    )
    send_mail(f"[Eligo] {row.title}", body, None, [row.recipient.email])
    row.emailed_at = timezone.now()
    row.save(update_fields=["emailed_at"])
    return "sent"


def digests_queue(*, before: datetime | None = None) -> int:
    """Queue one digest e-mail per person who wants one and has notifications not yet
    e-mailed; returns how many were queued. Keyed per person and day: queued twice
    the same day, it is one piece of work."""
    before = before or timezone.now()
    users = (
        User.objects.filter(
            is_active=True,
            notification_preference__delivery=Delivery.DIGEST,
            notifications__emailed_at__isnull=True,
            notifications__created_at__lt=before,
        )
        .exclude(email="")
        .distinct()
        .values_list("pk", flat=True)
    )
    day = before.date().isoformat()
    messages = [
        Message(
            task=DIGEST_TASK,
            arguments={"user_id": user_id, "before": before.isoformat()},
            key=f"notifications.digest:{user_id}:{day}",
        )
        for user_id in users
    ]
    if messages:
        outbox_enqueue(messages=messages)
    return len(messages)


@transaction.atomic
def digest_send(*, user_id: int, before: datetime) -> int:
    """E-mail one person, in one message, every notification created before ``before``
    not yet e-mailed, and mark them; returns how many it listed (0: nothing sent)."""
    user = User.objects.filter(pk=user_id, is_active=True).exclude(email="").first()
    if user is None or delivery_of(user) != Delivery.DIGEST:
        return 0
    rows = list(
        Notification.objects.select_for_update()
        .filter(recipient=user, emailed_at__isnull=True, created_at__lt=before)
        .order_by("created_at", "pk")
    )
    if not rows:
        return 0
    body = render_to_string(
        "notifications/email.txt",
        {"items": [(row, absolute(row.link)) for row in rows], "user": user, "digest": True},
    )
    count = len(rows)
    subject = f"[Eligo] {count} notification{'s' if count != 1 else ''}"
    send_mail(subject, body, None, [user.email])
    Notification.objects.filter(pk__in=[row.pk for row in rows]).update(emailed_at=timezone.now())
    return count
