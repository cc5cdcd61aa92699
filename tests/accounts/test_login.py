from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.conftest import PASSWORD


def test_home_sends_anonymous_visitors_to_the_login_page(client: Client, db: Any) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/"


def test_it_logs_in_with_the_right_password(client: Client, coordinator_a: Any) -> None:
    response = client.post("/login/", {"username": "coord.a", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == "/"
    assert b"Welcome, Alice Coordinator" in response.content


def test_it_refuses_a_wrong_password_with_a_message(client: Client, coordinator_a: Any) -> None:
    response = client.post("/login/", {"username": "coord.a", "password": "wrong-password-1"})
    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content
    assert "_auth_user_id" not in client.session


def test_logout_needs_a_post_and_ends_the_session(client: Client, coordinator_a: Any) -> None:
    client.force_login(coordinator_a)
    assert client.get("/logout/").status_code == 405
    response = client.post("/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("persona", "shown", "hidden"),
    [
        (
            "coordinator_a",
            ["Your sites", "A01"],
            ["Investigator</h2>", "Sponsor monitor</h2>", "Open configuration"],
        ),
        (
            "investigator_a",
            ["Investigator</h2>", "A01"],
            ["Sponsor monitor</h2>", "Open configuration"],
        ),
        ("coordinator_b", ["Your sites", "B01"], ["A01", "Open configuration"]),
        ("monitor", ["Sponsor monitor</h2>"], ["Your sites", "Open configuration"]),
        ("data_manager", ["Data manager</h2>", "Open configuration"], ["Your sites"]),
    ],
)
def test_home_shows_a_panel_for_each_role_the_user_holds(
    client: Client, personas: dict[str, Any], persona: str, shown: list[str], hidden: list[str]
) -> None:
    client.force_login(personas[persona])
    html = client.get("/").content.decode()
    for text in shown:
        assert text in html
    for text in hidden:
        assert text not in html


def test_a_user_without_roles_is_told_what_to_do(client: Client, db: Any) -> None:
    from accounts.models import User

    user = User.objects.create_user(username="nobody", password=PASSWORD, full_name="No Body")
    client.force_login(user)
    assert b"Your account has no role yet" in client.get("/").content


def test_sessions_expire_after_the_configured_inactivity(settings: Any) -> None:
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    # Pushed on by a write at most once a minute (config/sessions.py), not on every request.
    assert settings.SESSION_SAVE_EVERY_REQUEST is False
    assert settings.SESSION_REFRESH_SECONDS == 60


def test_data_managers_reach_configuration_but_not_screening_data(data_manager: Any) -> None:
    assert data_manager.has_perm("trials.change_site")
    assert data_manager.has_perm("accounts.add_user")
    assert not data_manager.has_perm("screening.view_candidate")


def test_site_staff_get_no_configuration_permissions(coordinator_a: Any, client: Client) -> None:
    assert not coordinator_a.has_perm("trials.change_site")
    client.force_login(coordinator_a)
    assert client.get("/admin/").status_code == 302
