"""Which language a page speaks: the person's choice, then the browser's, then the site's,
then English; ``<html lang>`` follows, and the choice is kept on the account."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.language import language_for
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def _lang(response: Any) -> str:
    found = re.search(r'<html lang="([^"]+)"', response.content.decode())
    assert found, "no lang attribute on <html>"
    return found.group(1)


def _signed_in(user: Any, **headers: str) -> Client:
    client = Client(**headers)
    client.force_login(user)
    return client


def test_english_is_the_default() -> None:
    response = Client().get(reverse("login"))
    assert _lang(response) == "en-GB"
    assert "Log in to Eligo" in response.content.decode()


@pytest.mark.parametrize(
    ("header", "lang"),
    [
        ("de-DE,de;q=0.9,en;q=0.5", "de"),
        ("zh-CN,zh;q=0.9", "zh-Hans"),
        ("fr-FR,de;q=0.7", "de"),  # the first language Eligo has
        ("en-US,en;q=0.9", "en-GB"),
        ("fr-FR,fr;q=0.9", "en-GB"),  # none Eligo has: English
    ],
)
def test_the_login_page_follows_the_browser(header: str, lang: str) -> None:
    response = Client(HTTP_ACCEPT_LANGUAGE=header).get(reverse("login"))
    assert _lang(response) == lang


def test_a_language_chosen_before_signing_in_is_kept_in_a_cookie() -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en-GB")
    response = client.post(reverse("language"), {"language": "zh-hans", "next": "/login/"})
    assert response.status_code == 302
    assert response["Location"] == "/login/"
    assert _lang(client.get(reverse("login"))) == "zh-Hans"


def test_the_language_menu_refuses_to_send_people_elsewhere() -> None:
    response = Client().post(
        reverse("language"), {"language": "de", "next": "https://elsewhere.example/"}
    )
    assert response["Location"] == reverse("home")


def test_a_persons_choice_beats_the_browser(coordinator_a: Any) -> None:
    client = _signed_in(coordinator_a, HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    response = client.post(reverse("settings"), {"language": "de"})
    assert response.status_code == 302
    coordinator_a.refresh_from_db()
    assert coordinator_a.language == "de"
    page = client.get(reverse("home"))
    assert _lang(page) == "de"
    assert page["Content-Language"] == "de"
    # Another browser, another Accept-Language: still the person's choice.
    other = _signed_in(coordinator_a, HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert _lang(other.get(reverse("home"))) == "de"
    event = AuditEvent.objects.filter(action="accounts.language.changed").get()
    assert event.changes["language"]["new"] == "de"


def test_the_navigation_bar_menu_saves_the_choice(coordinator_a: Any) -> None:
    client = _signed_in(coordinator_a)
    response = client.post(reverse("language"), {"language": "zh-hans", "next": "/screening/"})
    assert response["Location"] == "/screening/"
    coordinator_a.refresh_from_db()
    assert coordinator_a.language == "zh-hans"


def test_without_a_choice_the_browser_then_the_site_decides(
    coordinator_a: Any, site_a: Any, rf: Any
) -> None:
    site_a.default_language = "de"
    site_a.save()
    # The browser asks for a language Eligo has: it wins over the site's.
    assert _lang(_signed_in(coordinator_a, HTTP_ACCEPT_LANGUAGE="zh-CN").get("/")) == "zh-Hans"
    # It asks for none Eligo has (or for none at all): the site's language.
    assert _lang(_signed_in(coordinator_a, HTTP_ACCEPT_LANGUAGE="fr").get("/")) == "de"
    assert language_for(rf.get("/"), coordinator_a) == "de"


def test_people_of_no_site_fall_back_to_english(monitor: Any, rf: Any) -> None:
    assert language_for(rf.get("/", HTTP_ACCEPT_LANGUAGE="fr"), monitor) == "en-gb"


def test_clearing_the_choice_returns_to_the_browser(coordinator_a: Any) -> None:
    coordinator_a.language = "de"
    coordinator_a.save()
    client = _signed_in(coordinator_a, HTTP_ACCEPT_LANGUAGE="zh-CN")
    client.post(reverse("settings"), {"language": ""})
    coordinator_a.refresh_from_db()
    assert coordinator_a.language == ""
    assert _lang(client.get("/")) == "zh-Hans"


def test_an_unknown_language_is_refused_on_the_settings_page(coordinator_a: Any) -> None:
    response = _signed_in(coordinator_a).post(reverse("settings"), {"language": "xx"})
    assert response.status_code == 200
    assert "xx is not one of the available choices" in response.content.decode()
    coordinator_a.refresh_from_db()
    assert coordinator_a.language == ""
