"""Changing one's password is audited and ends every other session."""

from __future__ import annotations

from typing import Any

from django.test import Client

from audit.models import AuditEvent
from tests.conftest import PASSWORD

NEW_PASSWORD = "a-much-newer-staple-horse"


def logged_in_client(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def change_password(client: Client, old: str, new: str) -> Any:
    return client.post(
        "/password/", {"old_password": old, "new_password1": new, "new_password2": new}
    )


def test_the_password_page_needs_a_login(client: Client, db: Any) -> None:
    response = client.get("/password/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_the_password_page_is_reached_from_the_settings_in_the_menu(coordinator_a: Any) -> None:
    client = logged_in_client("coord.a")
    assert 'href="/settings/"' in client.get("/").content.decode()
    assert 'href="/password/"' in client.get("/settings/").content.decode()


def test_other_sessions_end_after_a_password_change(coordinator_a: Any) -> None:
    laptop = logged_in_client("coord.a")
    ward_pc = logged_in_client("coord.a")
    assert ward_pc.get("/").status_code == 200

    response = change_password(laptop, PASSWORD, NEW_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/"

    assert "Your other sessions have been ended" in laptop.get("/").content.decode()
    ended = ward_pc.get("/")
    assert ended.status_code == 302
    assert ended["Location"].startswith("/login/")
    assert Client().login(username="coord.a", password=NEW_PASSWORD)


def test_the_change_is_audited_without_the_password(coordinator_a: Any) -> None:
    change_password(logged_in_client("coord.a"), PASSWORD, NEW_PASSWORD)
    event = AuditEvent.objects.get(action="accounts.password.changed")
    assert event.actor == coordinator_a
    assert event.changes == {}
    assert NEW_PASSWORD not in str(list(AuditEvent.objects.values()))


def test_a_wrong_current_password_changes_nothing(coordinator_a: Any) -> None:
    laptop = logged_in_client("coord.a")
    ward_pc = logged_in_client("coord.a")
    response = change_password(laptop, "not-my-password", NEW_PASSWORD)
    assert response.status_code == 200
    assert "Your old password was entered incorrectly" in response.content.decode()
    assert ward_pc.get("/").status_code == 200
    assert not AuditEvent.objects.filter(action="accounts.password.changed").exists()
