"""A German coordinator reads German pages with German dates; a Chinese one reads
Chinese; dates typed the German way are accepted; exports and the trail stay as they
are, whatever the reader's language."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

# Words of Eligo's English pages that a German or Chinese page should not show (the
# protocol's own texts, codes and people's names aside). "Status" and "Queries" are
# German words too.
ENGLISH_WORDS = (
    "Candidates",
    "Screening log",
    "Register",
    "Home",
    "Log out",
    "Settings",
    "attempt",
    "Decision",
    "Screening date",
    "No decision yet",
    "Nothing entered yet",
    "Incomplete",
)


def _reader(world: dict[str, Any], persona: str, language: str) -> Client:
    user = world[persona]
    user.language = language
    user.save(update_fields=["language"])
    return client_for(world, persona)


def _visible(html: str) -> str:
    """The page's text, without tags, scripts or attribute values."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.DOTALL)
    return re.sub(r"<[^>]+>", " ", html)


def _english_left(html: str) -> list[str]:
    text = _visible(html)
    return [word for word in ENGLISH_WORDS if re.search(rf"\b{re.escape(word)}\b", text)]


def test_a_german_coordinator_sees_german_pages_and_dates(world: dict[str, Any]) -> None:
    client = _reader(world, "coordinator_a", "de")
    summary = client.get(reverse("screening:summary", kwargs={"pk": world["screening"].pk}))
    html = summary.content.decode()
    assert '<html lang="de">' in html
    assert "Screening-Daten" in html
    assert "Noch keine Entscheidung." in html
    assert "20.11.2026" in html  # the screening date, as Germans write it
    assert "20 Nov 2026" not in html
    assert not _english_left(html)
    home = client.get(reverse("home")).content.decode()
    assert "Willkommen, Alice Coordinator" in home
    assert not _english_left(home)


def test_the_candidate_list_and_log_read_german(world: dict[str, Any]) -> None:
    client = _reader(world, "coordinator_a", "de")
    for name in ("screening:candidates", "screening:log", "screening:queries"):
        html = client.get(reverse(name)).content.decode()
        assert '<html lang="de">' in html, name
        assert not _english_left(html), (name, _english_left(html))


def test_a_chinese_page_renders(world: dict[str, Any]) -> None:
    client = _reader(world, "coordinator_a", "zh-hans")
    html = client.get(reverse("screening:summary", kwargs={"pk": world["screening"].pk}))
    text = html.content.decode()
    assert '<html lang="zh-Hans">' in text
    assert "筛选数据" in text
    assert "尚无决定。" in text
    assert "2026年11月20日" in text
    assert not _english_left(text)
    assert not re.search(r"\b(Status|Queries)\b", _visible(text))
    help_page = client.get(reverse("help:topic", kwargs={"slug": "entry"})).content.decode()
    assert "录入筛选数据" in help_page


def test_the_help_pages_are_translated(world: dict[str, Any]) -> None:
    client = _reader(world, "coordinator_a", "de")
    index = client.get(reverse("help:index")).content.decode()
    for slug in ("screening-list", "entry", "panel", "decision", "log", "queries"):
        assert reverse("help:topic", kwargs={"slug": slug}) in index
        page = client.get(reverse("help:topic", kwargs={"slug": slug}))
        assert page.status_code == 200
        assert not _english_left(page.content.decode()), slug
    assert client.get("/help/nothing-here/").status_code == 404


def test_pages_link_their_help(world: dict[str, Any]) -> None:
    client = client_for(world, "coordinator_a")
    html = client.get(reverse("screening:candidates")).content.decode()
    assert 'data-testid="help-screening-list"' in html
    # The navigation bar's Help opens the page's own topic.
    assert f'href="{reverse("help:topic", kwargs={"slug": "screening-list"})}"' in html


def test_a_date_typed_the_german_way_is_accepted(world: dict[str, Any]) -> None:
    from trials.models import TrialSite

    client = _reader(world, "coordinator_a", "de")
    link = TrialSite.objects.get(trial=world["trial"], site=world["site_a"])
    response = client.post(
        reverse("screening:register"),
        {
            "trial_site": link.pk,
            "full_name": "Maria Muster",
            "date_of_birth": "31.01.1950",
            "sex": "F",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    from screening.models import Candidate

    assert Candidate.objects.latest("pk").year_of_birth == 1950
    # ISO is accepted in every language.
    response = client.post(
        reverse("screening:register"),
        {
            "trial_site": link.pk,
            "full_name": "Max Muster",
            "date_of_birth": "1951-02-28",
            "sex": "M",
        },
    )
    assert response.status_code == 302


def test_the_trail_records_english_whatever_the_language(world: dict[str, Any]) -> None:
    client = _reader(world, "coordinator_a", "de")
    from trials.models import TrialSite

    link = TrialSite.objects.get(trial=world["trial"], site=world["site_a"])
    client.post(
        reverse("screening:register"),
        {
            "trial_site": link.pk,
            "full_name": "Maria Muster",
            "date_of_birth": "31.01.1950",
            "sex": "F",
        },
    )
    event = AuditEvent.objects.filter(action="screening.candidate.created").latest("sequence")
    assert event.changes["sex"]["new"] == "Female"


def test_the_log_download_is_the_same_in_every_language(world: dict[str, Any]) -> None:
    english = client_for(world, "monitor").get(reverse("screening:log") + "?format=csv")
    german = _reader(world, "monitor", "de").get(reverse("screening:log") + "?format=csv")

    def body(response: Any) -> bytes:
        return b"".join(response.streaming_content) if response.streaming else response.content

    in_german = body(german)
    assert in_german == body(english)
    assert b"2026-11-20" in in_german


def test_a_german_decimal_comma_is_read_as_a_point() -> None:
    from decimal import Decimal

    from django.utils import translation

    from screening.forms.fields import ResultField, decimal_text
    from screening.services.validation import VALUE

    field = ResultField(column=VALUE, label="Creatinine")
    with translation.override("de"):
        assert field.clean("7,5").number == Decimal("7.5")
        assert field.clean("<0,5").number == Decimal("0.5")
        assert field.clean("7.5").number == Decimal("7.5")  # the point still works
        assert decimal_text("1.234,5") == "1.234,5"  # no guessing at thousands
    with translation.override("en-gb"):
        assert decimal_text("7,5") == "7,5"  # refused as before in English
