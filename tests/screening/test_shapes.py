"""Screening data is declared once (``screening/shapes.py``); everything else agrees.

Each test here fails when one of the places that restate a shape drifts from its
declaration: the models, the change dataclasses, the entry form, the audit trail, the
facts document, ``changes_from_facts``, the live panel's unsaved values and the copy a
rescreening makes. ``docs/architecture.md`` says which declaration to edit.
"""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.db import models

from audit import registry
from audit.models import AuditEvent
from eligibility import ProtocolDefinition, load_definition_file
from screening.engine_bridge import facts_document
from screening.forms.entry import ScreeningEntryForm, is_numeric, is_qualitative
from screening.forms.rows import EventRowForm, MedicationRowForm
from screening.models import ObservationKind, Screening
from screening.services import (
    HistoryInput,
    MedicationInput,
    ObservationInput,
    ScreeningChanges,
    carry_choices,
    decision_propose,
    decision_sign,
    screening_rescreen,
    screening_save,
)
from screening.services import changes as change_module
from screening.services.changes import changes_from_facts
from screening.shapes import (
    COMPLETENESS_FLAGS,
    HISTORY_EVENT,
    MEDICATION,
    OBSERVATION,
    OBSERVATION_USES,
    SCORE_ITEMS,
    SHAPES,
    Kind,
    Shape,
)

ROOT = Path(__file__).resolve().parents[2]
DAY = date(2026, 11, 12)
PASSWORD = "shapes-test-password"

# Every row of screening data also has these; they are bookkeeping, not data.
BOOKKEEPING = {"id", "screening", "revision", "updated_by", "updated_at"}

MODEL_FIELD_KINDS: dict[Kind, tuple[type[models.Field[Any, Any]], ...]] = {
    Kind.CODE: (models.CharField,),
    Kind.TEXT: (models.CharField,),
    Kind.CHOICE: (models.CharField,),
    Kind.DECIMAL: (models.DecimalField,),
    Kind.DATE: (models.DateField,),
    Kind.BOOLEAN: (models.BooleanField,),
    Kind.MAPPING: (models.JSONField,),
    Kind.LIST: (models.JSONField,),
}

# One of everything, with every field a shape declares filled in by at least one row:
# a laboratory result typed in another unit than the canonical one, implausible and
# confirmed, with the range printed on the report; a qualitative result; a course that
# ended and one that goes on; an event with a detail; a checklist; an answer.
LAB = ObservationInput(
    code="alt",
    value=Decimal("4000.0"),
    unit="IU/L",
    observed_on=DAY,
    source="Lab report 17",
    range_from_report=True,
    lln=Decimal("9"),
    uln=Decimal("50"),
    range_unit="IU/L",
    implausible_confirmed=True,
)
QUALITATIVE = ObservationInput(
    code="hiv_antibody", text="negative", observed_on=DAY, source="Lab report 17"
)
# A censored result: HBV DNA below the detection limit.
CENSORED = ObservationInput(
    code="hbv_dna", value=Decimal("20"), unit="IU/mL", comparator="<", observed_on=DAY
)
ENDED = MedicationInput(
    drug="prednisone",
    atc="H02AB07",
    route="oral",
    start=date(2026, 1, 1),
    stop=date(2026, 3, 1),
    daily_dose=Decimal("5"),
    dose_unit="mg/day",
)
ONGOING = MedicationInput(drug="dexamethasone", route="oral", start=date(2026, 6, 1), ongoing=True)
EVENT = HistoryInput(
    code="decompensated_heart_failure",
    occurred_on=date(2025, 5, 1),
    details={"nyha_class": "II"},
)
FULL = ScreeningChanges(
    observations=[LAB, QUALITATIVE, CENSORED],
    medications=[ENDED, ONGOING],
    history=[EVENT],
    answers={"informed_consent": "yes"},
    score_items={"padua": ["previous_vte"]},
    medications_complete=True,
    history_complete=True,
)
JUDGMENTS = ScreeningChanges(judgments={"serious_systemic_disease": "no"})


def save(user: Any, screening: Screening, changes: ScreeningChanges) -> None:
    screening.refresh_from_db()
    screening_save(
        user=user, screening=screening, changes=changes, expected_revision=screening.revision
    )


@pytest.fixture
def filled(coordinator_a: Any, investigator_a: Any, nct_screening: Screening) -> Screening:
    """The NCT06495437 screening with one of everything saved."""
    save(coordinator_a, nct_screening, FULL)
    save(investigator_a, nct_screening, JUDGMENTS)
    nct_screening.refresh_from_db()
    return nct_screening


def _rows(shape: Shape, screening: Screening) -> list[models.Model]:
    return list(shape.model._default_manager.filter(screening=screening).order_by("pk"))


def _copied(shape: Shape, rows: list[models.Model]) -> list[str]:
    return sorted(repr({name: getattr(row, name) for name in shape.copied}) for row in rows)


def _blank(value: Any) -> bool:
    return value in (None, "", [], {}, False)


# --- The declaration against the code that restates it -------------------------------


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: s.name)
def test_every_model_field_is_declared(shape: Shape) -> None:
    stored = {f.name for f in shape.model._meta.concrete_fields} - BOOKKEEPING
    declared = {f.name for f in shape.fields}
    assert stored - declared == set(), f"declare these in screening/shapes.py {shape.name}"
    assert declared - stored == set(), f"{shape.model.__name__} has no such fields"


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: s.name)
def test_each_field_is_stored_as_its_declared_kind(shape: Shape) -> None:
    for declared in shape.fields:
        model_field = shape.model._meta.get_field(declared.name)
        assert isinstance(model_field, MODEL_FIELD_KINDS[declared.kind]), declared.name
        assert bool(model_field.choices) == (declared.kind == Kind.CHOICE), declared.name


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: s.name)
def test_the_change_dataclass_carries_the_declared_fields(shape: Shape) -> None:
    if shape.change_class is None:
        # Rows without a dataclass of their own travel as a mapping of key to value.
        assert shape.key is not None
        assert not any(f.change for f in shape.fields)
        return
    dataclass = getattr(change_module, shape.change_class)
    carried = {f.name for f in fields(dataclass)}
    declared = {f.change for f in shape.fields if f.change is not None}
    # A row told apart by its id (no key) is named by ``id`` to change it.
    expected = declared if shape.key is not None else declared | {"id"}
    assert carried == expected


def test_a_save_carries_every_shape_and_nothing_else() -> None:
    expected = {shape.changes for shape in SHAPES}
    expected |= {use.changes for use in OBSERVATION_USES.values()}
    expected |= {f"remove_{s.changes}" for s in SHAPES if s.change_class is not None}
    expected |= {flag.name for flag in COMPLETENESS_FLAGS}
    assert {f.name for f in fields(ScreeningChanges)} == expected


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: s.name)
def test_the_audit_actions_of_each_shape_are_declared(shape: Shape) -> None:
    model = shape.model._meta.label_lower
    for verb in ("created", "changed", "removed"):
        assert registry.get(f"screening.{shape.noun}.{verb}").model == model
    if shape.complete is not None:
        for verb in ("completed", "changed"):
            assert registry.get(f"screening.{shape.complete.noun}.{verb}")


def test_every_kind_of_observation_says_how_it_travels() -> None:
    assert set(OBSERVATION_USES) == set(ObservationKind.values)
    sections = {"measurements", "labs", "answers", "judgments", "reference_dates"}
    assert {use.facts for use in OBSERVATION_USES.values()} == sections


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: s.name)
def test_a_new_row_starts_from_every_stored_field(shape: Shape) -> None:
    assert set(shape.blank()) == set(shape.stored) == {f.name for f in shape.fields} - {shape.key}


# --- The entry form ------------------------------------------------------------------


@pytest.fixture(scope="module", params=["hmsc100", "nct06495437"])
def definition(request: pytest.FixtureRequest) -> ProtocolDefinition:
    return load_definition_file(ROOT / "protocols" / f"{request.param}.yaml")


def _parts(form: ScreeningEntryForm, code: str) -> set[str]:
    return {name.removeprefix(f"{code}__") for name in form.fields if name.startswith(f"{code}__")}


def test_the_entry_form_names_an_observations_fields_as_declared(
    definition: ProtocolDefinition,
) -> None:
    form = ScreeningEntryForm(requirements=definition.requirements())
    declared = {f.form for f in OBSERVATION.fields if f.form}
    ranged = [s for s in definition.requirements().inputs() if is_numeric(s)]
    ranged = [s for s in ranged if s.needs_reference_range]
    qualitative = [s for s in definition.requirements().inputs() if is_qualitative(s)]
    assert ranged
    assert qualitative
    for spec in ranged:
        assert _parts(form, spec.code) == declared - {"result"}
        for part in ("unit", "lln", "uln", "range_unit"):
            name = next(f.name for f in OBSERVATION.fields if f.form == part)
            assert form.fields[f"{spec.code}__{part}"].label == OBSERVATION.label_of(name)
    for spec in qualitative:
        assert _parts(form, spec.code) == {"result", "date"}


def test_the_row_forms_name_their_fields_as_declared(definition: ProtocolDefinition) -> None:
    inputs = definition.requirements().inputs()
    for spec in (s for s in inputs if s.kind == "medication"):
        row = MedicationRowForm(spec=spec)
        declared = [f for f in MEDICATION.fields if f.form]
        if not spec.needs_dose:
            declared = [f for f in declared if f.name != "daily_dose"]
        assert [n for n in row.fields if n != "row_id"] == [f.form for f in declared]
        for f in declared:
            assert str(row.fields[str(f.form)].label).startswith(str(f.label))
    for spec in (s for s in inputs if s.kind == "event"):
        event_row = EventRowForm(spec=spec)
        names = [n for n in event_row.fields if n != "row_id"]
        assert names[0] == HISTORY_EVENT.field("occurred_on").form
        assert all(n.startswith(str(HISTORY_EVENT.field("details").form)) for n in names[1:])
        assert event_row.fields["occurred_on"].label == HISTORY_EVENT.label_of("occurred_on")


# --- Saved data: the audit trail, the facts, the live panel, a rescreening ------------


# The trail names a row's values after the row ("alt", "alt date"; "course",
# "course start"; "event date"; a checklist's score): what follows the row's own
# name is the declared audit key, and the name alone is the row's main value.
_MAIN_VALUE = {"observation": "value", "medication": "drug", "history_event": "event"}


def _audit_key(shape: Shape, row: Any, key: str) -> str:
    name = {"medication": "course", "history_event": "event"}.get(shape.noun)
    name = name or getattr(row, "code", None) or getattr(row, "score", "")
    if key == name:
        return _MAIN_VALUE.get(shape.noun, "items")
    assert key.startswith(f"{name} "), (shape.name, key)
    return key.removeprefix(f"{name} ")


def test_each_created_row_is_audited_under_its_declared_keys(filled: Screening) -> None:
    for shape in SHAPES:
        told: set[str] = set()
        for row in _rows(shape, filled):
            event = AuditEvent.objects.get(
                action=f"screening.{shape.noun}.created", object_id=str(row.pk)
            )
            told |= {_audit_key(shape, row, key) for key in event.changes}
        declared = {f.audit for f in shape.fields if f.audit is not None}
        assert told == declared, shape.name


def _at(item: dict[str, Any], path: str) -> Any:
    for part in path.split("."):
        item = item[part]
    return item


def test_the_facts_carry_every_field_declared_to_reach_the_engine(filled: Screening) -> None:
    document = facts_document(filled)
    readings = {r["code"]: r for r in document["measurements"] + document["labs"]}
    items = {
        OBSERVATION: [readings["alt"], readings["hiv_antibody"]],
        MEDICATION: document["medications"],
        HISTORY_EVENT: document["history"],
        SCORE_ITEMS: [document],
    }
    for shape, found in items.items():
        for f in shape.fields:
            if f.fact is None:
                continue
            # "drug" is named "class" for a catalogue class; ours are drugs.
            present = [item for item in found if _has(item, str(f.fact))]
            assert present, f"{shape.name}.{f.name}: no {f.fact} in the facts document"
    for use in OBSERVATION_USES.values():
        if use.is_answer:
            assert document[use.facts], use.kind


def _has(item: dict[str, Any], path: str) -> bool:
    try:
        _at(item, path)
    except (KeyError, TypeError):
        return False
    return True


def test_changes_from_facts_reads_back_every_declared_field(filled: Screening) -> None:
    back = changes_from_facts(facts_document(filled))
    observations = {o.code: o for o in back.observations}
    originals: list[tuple[Shape, Any, Any]] = [
        (OBSERVATION, LAB, observations["alt"]),
        (OBSERVATION, QUALITATIVE, observations["hiv_antibody"]),
        *[(MEDICATION, m, b) for m, b in zip(FULL.medications, back.medications, strict=True)],
        (HISTORY_EVENT, EVENT, back.history[0]),
    ]
    for shape, original, read in originals:
        for f in shape.fields:
            if f.change is not None and f.fact is not None:
                expected, got = getattr(original, f.change), getattr(read, f.change)
                assert got == expected, f"{shape.name}.{f.name}: {got!r} != {expected!r}"
    # The censored result comes back with its comparator (the site's range is added).
    read = observations["hbv_dna"]
    assert (read.comparator, read.value, read.unit) == ("<", Decimal("20"), "IU/mL")
    assert dict(back.answers) == dict(FULL.answers)
    assert dict(back.judgments) == dict(JUDGMENTS.judgments)
    assert dict(back.score_items) == dict(FULL.score_items)


def test_unsaved_values_give_the_facts_they_give_once_saved(
    coordinator_a: Any, investigator_a: Any, nct_screening: Screening
) -> None:
    everything = replace(FULL, judgments=JUDGMENTS.judgments)
    pending = facts_document(nct_screening, pending=everything)
    save(coordinator_a, nct_screening, FULL)
    save(investigator_a, nct_screening, JUDGMENTS)
    assert facts_document(nct_screening) == pending


def test_a_rescreening_copies_every_declared_field(
    coordinator_a: Any, investigator_a: Any, filled: Screening
) -> None:
    investigator_a.set_password(PASSWORD)
    investigator_a.save()
    decision = decision_propose(
        user=coordinator_a, screening=filled, outcome="screen_failure", reason_category="declined"
    )
    decision_sign(user=investigator_a, decision=decision, password=PASSWORD)
    filled.refresh_from_db()
    carry = {code for codes in carry_choices(filled).values() for code in codes}
    second = screening_rescreen(
        user=coordinator_a,
        screening=filled,
        screening_date=filled.screening_date,
        consent_date=filled.consent_date,
        carry=carry,
        confirm_early=True,
        early_reason="New information on the day of the failure",
    )
    for shape in SHAPES:
        originals = _rows(shape, filled)
        if shape is OBSERVATION:
            originals = [o for o in originals if OBSERVATION_USES[o.kind].carried]  # type: ignore[attr-defined]
        for name in shape.copied:
            # The rows above fill every field somewhere, so each one is really copied.
            assert any(not _blank(getattr(row, name)) for row in originals), (shape.name, name)
        assert _copied(shape, _rows(shape, second)) == _copied(shape, originals), shape.name
    assert not second.observations.filter(kind=ObservationKind.JUDGMENT).exists()
