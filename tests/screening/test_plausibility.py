"""Plausibility: a date of birth giving an impossible age, dates before the candidate was
born or after today, values without their date, and a figure that fits another unit.

Each refusal names the field and the limit; a refused save writes nothing, and the form
shows again what was typed."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from screening.models import Candidate, MedicationExposure, Observation
from screening.services import (
    HistoryInput,
    IdentityData,
    MedicationInput,
    ObservationInput,
    ScreeningChanges,
    ScreeningValidationError,
)
from screening.services.candidates import candidate_identity_change
from tests.helpers import rendered, save

pytestmark = pytest.mark.django_db

DAY = date(2026, 11, 10)
BORN = "1956-04-02"  # the date of birth tests.helpers.register gives


def refusal(user: Any, screening: Any, changes: ScreeningChanges) -> dict[str, list[str]]:
    with pytest.raises(ScreeningValidationError) as caught:
        save(user, screening, changes)
    return caught.value.message_dict


def reading(code: str, value: str, unit: str, on: date | None = DAY) -> ObservationInput:
    return ObservationInput(code=code, value=Decimal(value), unit=unit, observed_on=on)


@pytest.fixture
def coordinator(coordinator_a: Any) -> Client:
    client = Client()
    client.force_login(coordinator_a)
    return client


# --- Date of birth ---------------------------------------------------------------------


def _register(client: Client, hmsc: Any, site_a: Any, born: str) -> Any:
    from trials.models import TrialSite

    link = TrialSite.objects.get(trial=hmsc, site=site_a)
    return client.post(
        reverse("screening:register"),
        {"trial_site": link.pk, "full_name": "Maria Alt", "date_of_birth": born, "sex": "F"},
    )


def test_a_date_of_birth_giving_an_age_over_120_is_refused_at_registration(
    coordinator: Client, hmsc: Any, site_a: Any
) -> None:
    response = _register(coordinator, hmsc, site_a, "1901-05-03")
    assert response.status_code == 200
    page = response.content.decode()
    assert (
        "Date of birth: 1901-05-03 gives an age of 125 years; the oldest plausible age is "
        "120 years." in page
    )
    # Nothing is lost: the form shows what was typed.
    assert 'value="Maria Alt"' in page
    assert 'value="1901-05-03"' in page
    assert not Candidate.objects.exists()


def test_a_date_of_birth_giving_an_age_of_120_is_accepted(
    coordinator: Client, hmsc: Any, site_a: Any
) -> None:
    # Today is 2026-11-21: born on 1906-11-21 the candidate turns 120 today.
    response = _register(coordinator, hmsc, site_a, "1906-11-21")
    assert response.status_code == 302
    assert Candidate.objects.count() == 1


def test_a_date_of_birth_in_the_future_is_refused_naming_today(
    coordinator: Client, hmsc: Any, site_a: Any
) -> None:
    page = _register(coordinator, hmsc, site_a, "2026-11-22").content.decode()
    assert "Date of birth: 2026-11-22 is in the future (today is 2026-11-21)." in page
    assert not Candidate.objects.exists()


def test_correcting_the_date_of_birth_to_an_implausible_one_is_refused_and_changes_nothing(
    coordinator: Client, coordinator_a: Any, hmsc_screening: Any
) -> None:
    candidate = hmsc_screening.candidate
    events = AuditEvent.objects.count()
    with pytest.raises(ScreeningValidationError) as caught:
        candidate_identity_change(
            user=coordinator_a,
            candidate=candidate,
            identity=IdentityData(full_name="Erika Mustermann", date_of_birth=date(1800, 1, 1)),
            sex="F",
            reason="Typed from the referral letter",
        )
    assert "Date of birth: 1800-01-01 is not a plausible date" in caught.value.messages[0]
    form = {
        "full_name": "Erika Musterfrau",
        "date_of_birth": "1902-04-02",
        "sex": "F",
        "hospital_number": "H-1",
        "reason_code": "transcription_error",
    }
    response = coordinator.post(f"/screening/candidates/{candidate.pk}/identity/", form)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Date of birth: 1902-04-02 gives an age of 124 years" in page
    assert 'value="Erika Musterfrau"' in page
    candidate.identity.refresh_from_db()
    assert candidate.identity.full_name == "Erika Mustermann"
    assert candidate.identity.date_of_birth == date(1956, 4, 2)
    assert AuditEvent.objects.count() == events


# --- Dates of results, doses and events ------------------------------------------------


def test_a_result_dated_before_the_candidate_was_born_is_refused_naming_both_dates(
    coordinator_a: Any, hmsc_screening: Any
) -> None:
    frax = reading("frax_mof", "18.5", "%", on=date(1900, 1, 1))
    errors = refusal(coordinator_a, hmsc_screening, ScreeningChanges(observations=[frax]))
    assert errors == {
        "frax_mof.observed_on": [
            "FRAX 10-year probability of major osteoporotic fracture result date: 1900-01-01 "
            f"is before the candidate's date of birth {BORN}."
        ]
    }


def test_doses_and_events_before_birth_or_after_today_are_refused(
    coordinator_a: Any, hmsc_screening: Any
) -> None:
    course = MedicationInput(
        drug="denosumab", route="subcutaneous", start=date(1950, 1, 1), stop=date(2026, 12, 1)
    )
    fracture = HistoryInput(code="fracture", occurred_on=date(1956, 4, 1))
    errors = refusal(
        coordinator_a,
        hmsc_screening,
        ScreeningChanges(medications=[course], history=[fracture]),
    )
    assert errors["medications.0.start"] == [
        f"Start: 1950-01-01 is before the candidate's date of birth {BORN}."
    ]
    assert errors["medications.0.stop"] == [
        "Stop: 2026-12-01 is in the future (today is 2026-11-21)."
    ]
    assert errors["history.0.occurred_on"] == [
        f"Date: 1956-04-01 is before the candidate's date of birth {BORN}."
    ]


def test_a_result_on_the_day_of_birth_is_accepted(coordinator_a: Any, hmsc_screening: Any) -> None:
    # The plausible span starts at birth itself (a neonatal result is a result).
    save(
        coordinator_a,
        hmsc_screening,
        ScreeningChanges(history=[HistoryInput(code="fracture", occurred_on=date(1956, 4, 2))]),
    )


def test_a_value_without_its_date_is_refused_naming_the_field(
    coordinator_a: Any, hmsc_screening: Any
) -> None:
    undated = [
        reading("creatinine", "0.8", "mg/dL", on=None),
        reading("weight", "58.4", "kg", on=None),
        ObservationInput(code="hbsag", text="negative"),
    ]
    errors = refusal(coordinator_a, hmsc_screening, ScreeningChanges(observations=undated))
    assert errors == {
        "creatinine.observed_on": ["Serum creatinine: give the result date of the value entered."],
        "weight.observed_on": ["Body weight: give the date measured of the value entered."],
        "hbsag.observed_on": [
            "Hepatitis B surface antigen: give the result date of the value entered."
        ],
    }


def test_a_refused_save_writes_nothing_even_what_was_right(
    coordinator_a: Any, hmsc_screening: Any
) -> None:
    events = AuditEvent.objects.count()
    revision = hmsc_screening.revision
    changes = ScreeningChanges(
        observations=[reading("alt", "22", "U/L"), reading("creatinine", "0.8", "mg/dL", on=None)],
        medications=[MedicationInput(drug="denosumab", route="subcutaneous", start=DAY)],
    )
    refusal(coordinator_a, hmsc_screening, changes)
    assert not Observation.objects.exists()
    assert not MedicationExposure.objects.exists()
    assert AuditEvent.objects.count() == events
    hmsc_screening.refresh_from_db()
    assert hmsc_screening.revision == revision


def test_the_entry_form_refuses_an_undated_value_and_shows_what_was_typed(
    coordinator: Client, hmsc_screening: Any
) -> None:
    data = rendered(coordinator, hmsc_screening)
    data.update(
        {
            "creatinine__value": "0.8",
            "creatinine__unit": "mg/dL",
            "creatinine__date": "",
            "alt__value": "22",
            "alt__date": "2026-11-10",
        }
    )
    response = coordinator.post(reverse("screening:entry", kwargs={"pk": hmsc_screening.pk}), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Serum creatinine: give the result date of the value entered." in page
    again = rendered_from(page)
    assert again["creatinine__value"] == "0.8"
    assert again["alt__value"] == "22"
    assert again["alt__date"] == "2026-11-10"
    assert not Observation.objects.exists()


def rendered_from(page: str) -> dict[str, Any]:
    from tests.helpers import EntryFormReader

    reader = EntryFormReader()
    reader.feed(page)
    return {k: v if len(v) > 1 else v[0] for k, v in reader.data.items()}


# --- A figure that fits another unit ---------------------------------------------------


def test_an_impossible_figure_plausible_in_another_unit_is_refused_with_a_hint(
    coordinator_a: Any, hmsc_screening: Any
) -> None:
    errors = refusal(
        coordinator_a,
        hmsc_screening,
        ScreeningChanges(observations=[reading("creatinine", "70", "mg/dL")]),
    )
    assert errors == {
        "creatinine": [
            "Serum creatinine: 70 mg/dL is impossible; it must be between 0.05 and 40 mg/dL. "
            "Did you mean 70 µmol/L (= 0.79 mg/dL)?"
        ]
    }


def test_the_hint_works_the_other_way_and_names_the_limit_in_the_unit_chosen(
    coordinator_a: Any, hmsc_screening: Any
) -> None:
    errors = refusal(
        coordinator_a,
        hmsc_screening,
        ScreeningChanges(observations=[reading("creatinine", "1.2", "µmol/L")]),
    )
    assert errors["creatinine"] == [
        "Serum creatinine: 1.2 µmol/L (= 0.01 mg/dL) is impossible; it must be between "
        "0.05 and 40 mg/dL (4.42–3536.8 µmol/L). Did you mean 1.2 mg/dL?"
    ]


def test_an_implausible_figure_plausible_in_another_unit_gets_the_hint_too(
    coordinator_a: Any, hmsc_screening: Any
) -> None:
    errors = refusal(
        coordinator_a,
        hmsc_screening,
        ScreeningChanges(observations=[reading("weight", "300", "kg")]),
    )
    assert errors["weight"] == [
        "Body weight: 300 kg is implausible (expected between 30 and 250 kg); confirm it if "
        "it is right. Did you mean 300 lb (= 136.1 kg)?"
    ]


def test_no_hint_when_no_other_unit_makes_the_figure_plausible(
    coordinator_a: Any, hmsc_screening: Any
) -> None:
    errors = refusal(
        coordinator_a,
        hmsc_screening,
        ScreeningChanges(observations=[reading("weight", "700", "kg")]),
    )
    assert errors["weight"] == [
        "Body weight: 700 kg is impossible; it must be between 0.5 and 650 kg."
    ]


def test_the_hint_beside_the_field_asks_about_the_other_unit_as_it_is_typed(
    coordinator: Client, hmsc_screening: Any
) -> None:
    data = rendered(coordinator, hmsc_screening)
    data.update({"creatinine__value": "70", "creatinine__unit": "mg/dL"})
    url = reverse("screening:panel", kwargs={"pk": hmsc_screening.pk})
    page = coordinator.post(url, data, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="unit-hint-creatinine"' in page
    assert "Did you mean 70 µmol/L (= 0.79 mg/dL)?" in page
    data.update({"creatinine__unit": "µmol/L"})
    page = coordinator.post(url, data, HTTP_HX_REQUEST="true").content.decode()
    assert "unit-hint-creatinine" not in page


def test_a_censored_result_gets_no_unit_hint() -> None:
    from eligibility import load_definition_file
    from screening.forms.layout import hint_for
    from tests.helpers import ROOT

    definition = load_definition_file(ROOT / "protocols" / "hmsc100.yaml")
    creatinine = definition.requirements().get("creatinine")
    assert hint_for(definition, creatinine, Decimal(70), "mg/dL").unit_hint
    assert not hint_for(definition, creatinine, Decimal(70), "mg/dL", sign="<").unit_hint


def test_a_corrected_date_of_birth_after_a_recorded_date_is_refused_naming_both(
    coordinator_a: Any, hmsc_screening: Any
) -> None:
    save(
        coordinator_a,
        hmsc_screening,
        ScreeningChanges(history=[HistoryInput(code="fracture", occurred_on=date(1990, 6, 1))]),
    )
    events = AuditEvent.objects.count()
    with pytest.raises(ScreeningValidationError) as caught:
        candidate_identity_change(
            user=coordinator_a,
            candidate=hmsc_screening.candidate,
            identity=IdentityData(full_name="Erika Mustermann", date_of_birth=date(1991, 4, 2)),
            sex="F",
            reason="Date of birth from the passport",
        )
    assert caught.value.message_dict == {
        "date_of_birth": [
            "Date of birth: 1991-04-02 is after the fracture event, 1990-06-01, already "
            "recorded for this candidate; correct that date first, or check the date of birth."
        ]
    }
    assert AuditEvent.objects.count() == events
    # A date of birth on or before every recorded date is a correction like any other.
    assert candidate_identity_change(
        user=coordinator_a,
        candidate=hmsc_screening.candidate,
        identity=IdentityData(full_name="Erika Mustermann", date_of_birth=date(1957, 4, 2)),
        sex="F",
        reason="Date of birth from the passport",
    )


def test_the_refusal_names_a_result_by_its_label(coordinator_a: Any, hmsc_screening: Any) -> None:
    save(
        coordinator_a, hmsc_screening, ScreeningChanges(observations=[reading("alt", "22", "U/L")])
    )
    with pytest.raises(ScreeningValidationError) as caught:
        candidate_identity_change(
            user=coordinator_a,
            candidate=hmsc_screening.candidate,
            identity=IdentityData(full_name="Erika Mustermann", date_of_birth=date(2026, 11, 15)),
            sex="F",
            reason="Typed the visit date",
        )
    assert (
        "Date of birth: 2026-11-15 is after the ALT result date, 2026-11-10,"
        in (caught.value.messages[0])
    )
