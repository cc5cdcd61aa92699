"""What a rescreening carries over: offered by section in the entry form's order, with
each value's date and validity, and reaching the engine exactly as the same values
entered afresh would — including a medication or medical history taken in full."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from audit.models import AuditEvent
from screening.engine_bridge import definition_for, facts_document
from screening.services import (
    HistoryInput,
    ObservationInput,
    ScreeningChanges,
    carry_choices,
    decision_propose,
    decision_sign,
    screening_rescreen,
)
from screening.services.changes import changes_from_facts
from screening.services.rescreening import carry_sections
from tests.helpers import PASSWORD, TODAY, enter_example, example, register, save, start

pytestmark = pytest.mark.django_db

DAY = date(2026, 11, 12)


def _fail(coordinator: Any, investigator: Any, screening: Any) -> None:
    decision = decision_propose(
        user=coordinator, screening=screening, outcome="screen_failure", reason_category="declined"
    )
    decision_sign(user=investigator, decision=decision, password=PASSWORD)
    screening.refresh_from_db()


def _rescreen(user: Any, screening: Any, carry: Any, on: date = TODAY) -> Any:
    return screening_rescreen(
        user=user,
        screening=screening,
        screening_date=on,
        consent_date=on,
        carry=carry,
        confirm_early=True,
        early_reason="Rescreened on the day of the failure",
    )


def _everything(screening: Any) -> set[str]:
    return {code for codes in carry_choices(screening).values() for code in codes}


@pytest.fixture
def washout(coordinator_a: Any, investigator_a: Any, hmsc_screening: Any) -> Any:
    enter_example(coordinator_a, investigator_a, hmsc_screening, "hmsc100-washout")
    _fail(coordinator_a, investigator_a, hmsc_screening)
    return hmsc_screening


# --- The list, by section -----------------------------------------------------------------


def test_the_list_follows_the_forms_sections_and_order(washout: Any) -> None:
    sections = carry_sections(washout, on=TODAY)
    requirements = definition_for(washout).requirements()
    shown = [s.code for s in sections]
    # HBsAg was recorded but this protocol's form does not ask it: it comes last.
    assert shown[-1] == "other"
    assert [i.code for i in sections[-1].items] == ["hbsag"]
    assert shown[:-1] == [s.code for s in requirements.sections if s.code in shown]
    place = {spec.code: i for i, spec in enumerate(requirements.inputs())}
    for spec in requirements.inputs():
        for choice in spec.choices if spec.kind == "medication" else ():
            place[choice.code] = place[spec.code]
    for section in sections[:-1]:
        order = [place[item.code] for item in section.items]
        assert order == sorted(order), section.code
    codes = [item.code for section in sections for item in section.items]
    assert set(codes) == _everything(washout)
    assert codes.index("weight") < codes.index("height") < codes.index("alp")
    assert codes.index("ast") < codes.index("alt") < codes.index("alp")  # the form's order


def test_each_value_shows_its_date_and_whether_it_is_still_valid(washout: Any) -> None:
    by_code = {i.code: i for s in carry_sections(washout, on=TODAY) for i in s.items}
    alt = by_code["alt"]
    assert alt.dated
    assert alt.valid_until == alt.dated[0] + timedelta(days=30)
    assert not alt.expired
    later = {
        i.code: i
        for s in carry_sections(washout, on=alt.valid_until + timedelta(days=1))
        for i in s.items
    }
    assert later["alt"].expired
    assert by_code["denosumab"].dated == (date(2023, 3, 15),)
    assert by_code["denosumab"].valid_until is None  # a course has no validity window
    assert by_code["final_menstrual_period"].dated == (date(2006, 5, 1),)


# --- What the engine sees -----------------------------------------------------------------


def test_after_carrying_everything_the_panel_sees_the_final_menstrual_period(
    coordinator_a: Any, washout: Any
) -> None:
    """The "Final menstrual period date not recorded" of issue 14: the events were copied
    but the medical history was not marked taken in full, so the engine was told none."""
    second = _rescreen(coordinator_a, washout, _everything(washout))
    assert (second.history_complete, second.medications_complete) == (True, True)
    before, after = facts_document(washout), facts_document(second)
    for key in ("measurements", "labs", "answers", "medications", "history", "score_items"):
        assert after.get(key) == before.get(key), key
    missing = {m["code"] for m in second.evaluations.latest().result["missing"]}
    assert not {"final_menstrual_period", "history", "medications"} & missing
    completed = AuditEvent.objects.filter(
        action="screening.medical_history.completed", object_id=str(second.pk)
    ).get()
    assert completed.reason == f"Carried over from {washout}"


def test_a_history_carried_in_part_is_not_taken_in_full(coordinator_a: Any, washout: Any) -> None:
    second = _rescreen(
        coordinator_a, washout, {"final_menstrual_period", "denosumab", "alendronic_acid"}
    )
    assert (second.history_complete, second.medications_complete) == (False, True)
    assert "history" not in facts_document(second)


def test_every_kind_carried_reaches_the_engine_as_if_entered_afresh(
    coordinator_a: Any, investigator_a: Any, nct: Any, site_a: Any, nct_screening: Any
) -> None:
    """Observations (a number with its unit, a censored one, a qualitative result),
    courses, events, answers and checklists: carried over, the engine's facts are those of
    the same values entered by hand in a new screening."""
    changes = ScreeningChanges(
        observations=[
            ObservationInput(code="alt", value=Decimal("40.0"), unit="U/L", observed_on=DAY),
            ObservationInput(
                code="hbv_dna", value=Decimal("20"), unit="IU/mL", comparator="<", observed_on=DAY
            ),
            ObservationInput(code="hiv_antibody", text="negative", observed_on=DAY),
        ],
        medications=changes_from_facts(example("nct06495437-eligible")).medications,
        history=[
            HistoryInput(
                code="decompensated_heart_failure",
                occurred_on=date(2025, 5, 1),
                details={"nyha_class": "II"},
            )
        ],
        answers={"informed_consent": "yes"},
        score_items={"padua": ["previous_vte"]},
        medications_complete=True,
        history_complete=True,
    )
    save(coordinator_a, nct_screening, changes)
    _fail(coordinator_a, investigator_a, nct_screening)
    carried = _rescreen(coordinator_a, nct_screening, _everything(nct_screening))
    candidate = register(coordinator_a, nct, site_a, sex="M", born=date(1975, 6, 15), name="Fresh")
    fresh = start(coordinator_a, candidate, screening_date=TODAY, consent_date=TODAY)
    save(coordinator_a, fresh, changes)
    got, want = facts_document(carried), facts_document(fresh)
    for kind in ("labs", "medications", "history", "answers", "score_items"):
        assert want[kind], kind
    assert any(lab["value"] == "<20" for lab in want["labs"])
    assert got == want


def test_reference_dates_are_planned_afresh_never_carried(
    coordinator_a: Any, investigator_a: Any, hmsc_screening: Any
) -> None:
    """A planned randomisation or first dose belongs to its attempt: it is not offered."""
    from screening.models import Observation, ObservationKind

    Observation.objects.create(
        screening=hmsc_screening,
        code="first_dose",
        kind=ObservationKind.REFERENCE_DATE,
        observed_on=date(2026, 12, 1),
        updated_by=coordinator_a,
        updated_at=hmsc_screening.updated_at,
    )
    _fail(coordinator_a, investigator_a, hmsc_screening)
    assert "first_dose" not in _everything(hmsc_screening)
    assert all(
        i.code != "first_dose" for s in carry_sections(hmsc_screening, on=TODAY) for i in s.items
    )
