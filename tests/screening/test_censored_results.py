"""A result below or above the laboratory's limit (``<20``, ``>=2000``) is entered as such,
stored with its comparator, evaluated as the engine's interval, shown as entered on every
page, audited old → new with its comparator and carried over on rescreening."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from screening.engine_bridge import facts_document
from screening.models import Observation
from screening.services import (
    ObservationInput,
    ScreeningChanges,
    ScreeningValidationError,
    decision_propose,
    decision_sign,
    screening_rescreen,
)
from tests.conftest import PASSWORD
from tests.helpers import rendered, save

pytestmark = pytest.mark.django_db

DAY = date(2026, 11, 12)


def hbv(value: str, comparator: str = "<", unit: str = "IU/mL") -> ScreeningChanges:
    return ScreeningChanges(
        observations=[
            ObservationInput(
                code="hbv_dna",
                value=Decimal(value),
                comparator=comparator,
                unit=unit,
                observed_on=DAY,
            )
        ]
    )


@pytest.fixture
def coordinator(coordinator_a: Any) -> Client:
    client = Client()
    client.force_login(coordinator_a)
    return client


def page(client: Client, name: str, screening: Any) -> str:
    response = client.get(reverse(f"screening:{name}", kwargs={"pk": screening.pk}))
    assert response.status_code == 200
    return response.content.decode()


# -- the service -------------------------------------------------------------------------


def test_a_censored_result_is_stored_with_its_comparator_and_evaluated_as_one(
    coordinator_a: Any, vitals_screening: Any
) -> None:
    outcome = save(coordinator_a, vitals_screening, hbv("20"))
    saved = Observation.objects.get(screening=vitals_screening, code="hbv_dna")
    assert (saved.comparator, saved.value_entered, saved.value, saved.entered) == (
        "<",
        "20",
        Decimal("20"),
        "<20",
    )
    # E2 "HBV DNA at least 20 IU/mL": below 20 is not excluded, and says why.
    criterion = next(c for c in outcome.evaluation.result["criteria"] if c["id"] == "E2")
    assert criterion["outcome"] == "met"
    assert criterion["reasons"] == [
        "HBV DNA <20 IU/mL (below the detection limit) on 2026-11-12 is below 20 IU/mL"
    ]
    labs = facts_document(vitals_screening)["labs"]
    assert labs[0]["value"] == "<20"


def test_a_limit_that_does_not_decide_leaves_the_criterion_unknown_with_the_reason(
    coordinator_a: Any, vitals_screening: Any
) -> None:
    outcome = save(coordinator_a, vitals_screening, hbv("50"))
    criterion = next(c for c in outcome.evaluation.result["criteria"] if c["id"] == "E2")
    assert criterion["outcome"] == "unknown"
    assert criterion["missing"][0]["reason"] == (
        "HBV DNA is below the detection limit (<50 IU/mL), so its exact value is not known"
    )


@pytest.mark.parametrize(
    ("value", "comparator", "message"),
    [
        ("0", "<", "HBV DNA: <0 IU/mL is impossible; it must be at least 0 IU/mL."),
        ("20", "<<", "HBV DNA: '<<' is not a comparator"),
    ],
)
def test_an_impossible_censored_result_is_refused_naming_the_field(
    coordinator_a: Any, vitals_screening: Any, value: str, comparator: str, message: str
) -> None:
    with pytest.raises(ScreeningValidationError) as caught:
        save(coordinator_a, vitals_screening, hbv(value, comparator))
    assert message in " ".join(caught.value.messages)
    assert not Observation.objects.filter(screening=vitals_screening).exists()


def test_the_audit_trail_tells_the_comparator_old_and_new(
    coordinator_a: Any, vitals_screening: Any
) -> None:
    save(coordinator_a, vitals_screening, hbv("20"))
    created = AuditEvent.objects.get(action="screening.observation.created")
    assert created.changes["hbv_dna"] == {
        "old": None,
        "new": "<20",
        "label": "HBV DNA",
        "unit": "IU/mL",
    }
    save(coordinator_a, vitals_screening, hbv("20", ""), reason="Exact value from the lab")
    changed = AuditEvent.objects.get(action="screening.observation.changed")
    assert changed.changes["hbv_dna"] == {
        "old": "<20",
        "new": "20",
        "label": "HBV DNA",
        "unit": "IU/mL",
    }
    save(coordinator_a, vitals_screening, hbv("20", "<="), reason="Re-read: at most 20")
    last = AuditEvent.objects.filter(action="screening.observation.changed").latest("pk")
    assert (last.changes["hbv_dna"]["old"], last.changes["hbv_dna"]["new"]) == ("20", "≤20")


def test_a_censored_result_is_carried_over_on_rescreening(
    coordinator_a: Any, investigator_a: Any, vitals_screening: Any
) -> None:
    save(coordinator_a, vitals_screening, hbv("2000", ">="))
    decision = decision_propose(
        user=coordinator_a,
        screening=vitals_screening,
        outcome="screen_failure",
        reason_category="criteria",
    )
    decision_sign(user=investigator_a, decision=decision, password=PASSWORD)
    second = screening_rescreen(
        user=coordinator_a,
        screening=vitals_screening,
        screening_date=date(2026, 11, 21),
        consent_date=date(2026, 11, 21),
        carry={"hbv_dna"},
        confirm_early=True,
        early_reason="New information on the day of the failure",
    )
    copied = Observation.objects.get(screening=second, code="hbv_dna")
    assert (copied.comparator, copied.entered) == (">=", "≥2000")
    assert facts_document(second)["labs"][0]["value"] == ">=2000"


# -- the pages ---------------------------------------------------------------------------


def test_the_entry_form_takes_a_censored_result_and_shows_it_as_entered(
    coordinator: Client, vitals_screening: Any
) -> None:
    data = rendered(coordinator, vitals_screening)
    data.update({"hbv_dna__value": "< 20", "hbv_dna__date": "2026-11-12"})
    response = coordinator.post(
        reverse("screening:entry", kwargs={"pk": vitals_screening.pk}), data
    )
    assert response.status_code == 302
    assert Observation.objects.get(screening=vitals_screening, code="hbv_dna").entered == "<20"
    assert rendered(coordinator, vitals_screening)["hbv_dna__value"] == "<20"
    summary = page(coordinator, "summary", vitals_screening)
    assert "<strong>&lt;20 IU/mL</strong>" in summary
    assert "HBV DNA &lt;20 IU/mL (below the detection limit)" in summary
    history = page(coordinator, "history", vitals_screening)

    assert "entered a value: HBV DNA “&lt;20”" in history
    record = page(coordinator, "record", vitals_screening)
    assert "HBV DNA &lt;20 IU/mL (below the detection limit) on 2026-11-12" in record


def test_garbage_in_the_value_field_is_refused_beside_it_and_nothing_is_lost(
    coordinator: Client, vitals_screening: Any
) -> None:
    data = rendered(coordinator, vitals_screening)
    data.update(
        {
            "hbv_dna__value": "<abc",
            "hbv_dna__date": "2026-11-12",
            "weight__value": "70",
            "weight__date": "2026-11-20",
        }
    )
    response = coordinator.post(
        reverse("screening:entry", kwargs={"pk": vitals_screening.pk}), data
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        "HBV DNA: enter a number, or a number after &lt;, &lt;=, &gt; or &gt;= for a result "
        "below or above the laboratory&#x27;s limit (got &#x27;&lt;abc&#x27;)."
    ) in html
    assert 'value="&lt;abc"' in html  # the typed text stays in the field
    assert not Observation.objects.filter(screening=vitals_screening).exists()


def test_the_live_panel_evaluates_a_censored_result_without_saving(
    coordinator: Client, vitals_screening: Any
) -> None:
    data = rendered(coordinator, vitals_screening)
    data.update({"hbv_dna__value": ">=2000", "hbv_dna__date": "2026-11-12"})
    url = reverse("screening:panel", kwargs={"pk": vitals_screening.pk})
    html = coordinator.post(url, data, HTTP_HX_REQUEST="true").content.decode()
    assert "HBV DNA ≥2000 IU/mL (at or above the upper limit of quantification)" in html
    assert not Observation.objects.filter(screening=vitals_screening).exists()
