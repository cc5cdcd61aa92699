"""The list of one's own notifications, marking read, preferences and the navbar count."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from notifications.context_processors import unread_notifications
from notifications.models import Delivery, Kind, Notification, NotificationPreference
from notifications.services import Note, notify
from notifications.views import PAGE_SIZE

pytestmark = pytest.mark.django_db


def _note(n: int, link: str = "/screening/queries/") -> Note:
    return Note(kind=Kind.QUERY_OVERDUE, key=f"k{n}", title=f"Reminder {n}", link=link)


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_list_shows_ones_own_newest_first_paginated(
    coordinator_a: Any, investigator_a: Any
) -> None:
    for n in range(PAGE_SIZE + 2):
        notify(recipients=[coordinator_a], note=_note(n))
    notify(
        recipients=[investigator_a], note=Note(kind=Kind.QUERY_OVERDUE, key="x", title="Not yours")
    )
    page = _client(coordinator_a).get("/notifications/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Not yours" not in text
    assert text.count('data-testid="notification"') == PAGE_SIZE
    assert text.index(f"Reminder {PAGE_SIZE + 1}") < text.index(f"Reminder {PAGE_SIZE}")
    second = _client(coordinator_a).get("/notifications/?page=2").content.decode()
    assert second.count('data-testid="notification"') == 2
    assert "Reminder 0" in second


def test_mark_one_read_and_open_what_it_is_about(coordinator_a: Any, investigator_a: Any) -> None:
    [mine] = notify(recipients=[coordinator_a], note=_note(1, link="/screening/queries/"))
    [theirs] = notify(recipients=[investigator_a], note=_note(1))
    client = _client(coordinator_a)
    assert client.post(f"/notifications/{theirs.pk}/read/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    response = client.post(f"/notifications/{mine.pk}/read/", {"open": "1"})
    assert response.status_code == 302
    assert response["Location"] == "/screening/queries/"
    mine.refresh_from_db()
    assert mine.read_at is not None
    assert client.get(f"/notifications/{mine.pk}/read/").status_code == 405


def test_a_link_elsewhere_is_never_followed(coordinator_a: Any) -> None:
    [row] = notify(recipients=[coordinator_a], note=_note(1, link="https://evil.example/"))
    response = _client(coordinator_a).post(f"/notifications/{row.pk}/read/", {"open": "1"})
    assert response["Location"] == "/notifications/"


def test_mark_all_read_and_the_navbar_count(coordinator_a: Any, investigator_a: Any) -> None:
    for n in range(3):
        notify(recipients=[coordinator_a, investigator_a], note=_note(n))
    client = _client(coordinator_a)
    home = client.get("/").content.decode()
    assert 'data-testid="nav-notifications"' in home
    assert '3<span class="visually-hidden"> unread</span>' in home
    response = client.post("/notifications/read-all/")
    assert response.status_code == 302
    assert Notification.objects.filter(recipient=coordinator_a, read_at__isnull=True).count() == 0
    assert Notification.objects.filter(recipient=investigator_a, read_at__isnull=True).count() == 3
    home = client.get("/").content.decode()
    assert 'visually-hidden"> unread' not in home


def test_the_count_is_one_query_per_request(coordinator_a: Any) -> None:
    notify(recipients=[coordinator_a], note=_note(1))
    request = RequestFactory().get("/")
    request.user = coordinator_a
    count = unread_notifications(request)["unread_notifications"]
    again = unread_notifications(request)["unread_notifications"]
    with CaptureQueriesContext(connection) as queries:
        assert str(count) == "1"
        assert str(again) == "1"
    assert len(queries) == 1


def test_choosing_how_to_be_told_is_saved_and_audited(coordinator_a: Any) -> None:
    client = _client(coordinator_a)
    assert (
        'value="in_app" class="form-check-input" id="id_delivery_0" required checked'
        in (client.get("/notifications/").content.decode())
        or "checked" in client.get("/notifications/").content.decode()
    )
    assert client.post("/notifications/preferences/", {"delivery": "digest"}).status_code == 302
    assert NotificationPreference.objects.get(user=coordinator_a).delivery == Delivery.DIGEST
    event = AuditEvent.objects.get(action="notifications.preference.changed")
    assert event.actor == coordinator_a
    assert event.changes["delivery"]["new"] == Delivery.DIGEST.label
    # Nonsense is refused with a message, and nothing changes.
    response = client.post("/notifications/preferences/", {"delivery": "sms"}, follow=True)
    assert "Choose one of the ways to be told." in response.content.decode()
    assert NotificationPreference.objects.get(user=coordinator_a).delivery == Delivery.DIGEST
    assert client.get("/notifications/preferences/").status_code == 405


def test_signed_out_people_are_sent_to_sign_in() -> None:
    response = Client().get("/notifications/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
