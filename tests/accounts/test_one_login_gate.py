"""One login gate: the admin's own login, logout and password pages lead to Eligo's."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from accounts.models import LoginThrottle
from audit.models import AuditEvent
from tests.helpers import PASSWORD

pytestmark = pytest.mark.django_db


def test_the_admin_login_page_sends_to_eligos_login(client: Client) -> None:
    response = client.get("/admin/login/", {"next": "/admin/trials/site/"})
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/admin/trials/site/"


def test_a_password_posted_to_the_admin_login_is_never_checked(
    client: Client, data_manager: Any
) -> None:
    for _ in range(3):
        response = client.post(
            "/admin/login/", {"username": data_manager.username, "password": PASSWORD}
        )
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")
    assert "_auth_user_id" not in client.session
    assert not AuditEvent.objects.filter(action="accounts.login.succeeded").exists()


def test_a_locked_account_cannot_log_in_through_the_admin(
    client: Client, data_manager: Any, settings: Any
) -> None:
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        client.post("/login/", {"username": data_manager.username, "password": "wrong"})
    assert LoginThrottle.objects.get().locked_until is not None
    client.post("/admin/login/", {"username": data_manager.username, "password": PASSWORD})
    assert client.get("/admin/").status_code == 302  # still not logged in
    refused = client.post("/login/", {"username": data_manager.username, "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert refused.status_code == 200


def test_logging_out_of_the_admin_is_audited(client: Client, data_manager: Any) -> None:
    client.force_login(data_manager)
    response = client.post("/admin/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="accounts.logout", actor=data_manager).exists()


def test_the_admin_password_page_is_eligos(client: Client, data_manager: Any) -> None:
    client.force_login(data_manager)
    response = client.get("/admin/password_change/")
    assert response.status_code == 302
    assert response["Location"] == "/password/"
