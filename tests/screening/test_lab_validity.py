"""A result older than the protocol's validity window is marked at its field, on the
entry page (saved, and live as the date is typed) and on the summary; one that will be
too old by a planned date of the protocol is flagged too."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from eligibility import load_definition_file
from screening.services import ObservationInput, ScreeningChanges
from screening.validity import validity_notes
from tests.helpers import ROOT, rendered, save

pytestmark = pytest.mark.django_db

SCREENING = date(2026, 11, 20)
OLD = "Result of 1 Oct 2026 is older than the 30-day window for the screening on 20 Nov 2026"


def client_of(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def alt_on(day: date) -> ScreeningChanges:
    return ScreeningChanges(
        observations=[ObservationInput(code="alt", value=Decimal(22), unit="U/L", observed_on=day)]
    )


def test_a_saved_result_older_than_the_window_is_marked_at_its_field(
    coordinator_a: Any, hmsc_screening: Any
) -> None:
    save(coordinator_a, hmsc_screening, alt_on(date(2026, 10, 1)))
    client = client_of(coordinator_a)
    entry = client.get(reverse("screening:entry", kwargs={"pk": hmsc_screening.pk}))
    page = entry.content.decode()
    assert f"{OLD} — repeat the test." in page
    start = page.index('id="validity-alt"')
    assert OLD in page[start : page.index("</div>", start)]
    # Other results with a window have an empty slot (filled live as dates are typed).
    assert 'id="validity-ast"' in page
    summary = client.get(reverse("screening:summary", kwargs={"pk": hmsc_screening.pk}))
    assert 'data-testid="validity-observation:alt"' in summary.content.decode()
    assert OLD in summary.content.decode()


def test_a_result_within_the_window_is_not_marked(coordinator_a: Any, hmsc_screening: Any) -> None:
    # 30 days before screening is the last day of the window, as the engine counts it.
    save(coordinator_a, hmsc_screening, alt_on(date(2026, 10, 21)))
    page = (
        client_of(coordinator_a)
        .get(reverse("screening:summary", kwargs={"pk": hmsc_screening.pk}))
        .content.decode()
    )
    assert "older than the 30-day window" not in page
    result = hmsc_screening.evaluations.newest_first().first().result
    assert "older than" not in str(result)


def test_the_mark_follows_the_date_as_it_is_typed(coordinator_a: Any, hmsc_screening: Any) -> None:
    client = client_of(coordinator_a)
    data = rendered(client, hmsc_screening)
    data.update({"alt__value": "22", "alt__date": "2026-10-01"})
    url = reverse("screening:panel", kwargs={"pk": hmsc_screening.pk})
    page = client.post(url, data, HTTP_HX_REQUEST="true").content.decode()
    start = page.index('id="validity-alt"')
    slot = page[start : page.index("</div>", start)]
    assert 'hx-swap-oob="true"' in slot
    assert OLD in slot
    data.update({"alt__date": "2026-11-10"})
    page = client.post(url, data, HTTP_HX_REQUEST="true").content.decode()
    start = page.index('id="validity-alt"')
    assert "older than" not in page[start : page.index("</div>", start)]


def test_a_result_too_old_by_a_planned_date_is_flagged() -> None:
    definition = load_definition_file(ROOT / "protocols" / "nct00275132.yaml")
    notes = validity_notes(
        definition,
        screening_date=SCREENING,
        dates={"alt": date(2026, 11, 1), "ast": date(2026, 11, 19)},
        reference_dates={"randomisation": date(2026, 12, 10)},
    )
    assert list(notes) == ["alt"]
    assert not notes["alt"].expired
    assert notes["alt"].text == (
        "Result of 1 Nov 2026 is valid until 1 Dec 2026 (30-day window), before the planned "
        "randomisation date 10 Dec 2026 — repeat the test in time."
    )


def test_no_window_no_date_or_a_planned_date_in_the_past_give_no_mark() -> None:
    definition = load_definition_file(ROOT / "protocols" / "nct00275132.yaml")
    notes = validity_notes(
        definition,
        screening_date=SCREENING,
        dates={"alt": None, "ast": date(2026, 11, 1)},
        reference_dates={"randomisation": date(2026, 11, 15)},
    )
    assert notes == {}
