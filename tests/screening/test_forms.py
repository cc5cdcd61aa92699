"""The data-entry form is generated from a protocol's requirements, nothing else."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from eligibility import ProtocolDefinition, load_definition_file
from screening.forms.entry import ScreeningEntryForm, is_numeric
from screening.forms.layout import hint_for
from screening.forms.mapping import SiteRange, changes_from_form

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module", params=["hmsc100", "nct06495437"])
def definition(request: pytest.FixtureRequest) -> ProtocolDefinition:
    return load_definition_file(ROOT / "protocols" / f"{request.param}.yaml")


def test_every_input_gets_its_fields(definition: ProtocolDefinition) -> None:
    form = ScreeningEntryForm(requirements=definition.requirements())
    for spec in definition.requirements().inputs():
        if is_numeric(spec):
            assert {f"{spec.code}__value", f"{spec.code}__unit", f"{spec.code}__date"} <= set(
                form.fields
            )
            units = [c[0] for c in form.fields[f"{spec.code}__unit"].choices]  # type: ignore[attr-defined]
            assert units == list(spec.units)
            assert (f"{spec.code}__lln" in form.fields) == spec.needs_reference_range
        elif spec.kind in ("medication", "event"):
            assert spec.code in form.formsets
        elif spec.kind in ("answer", "judgment", "checklist"):
            assert spec.code in form.fields


def test_judgments_are_disabled_unless_the_user_may_judge(definition: ProtocolDefinition) -> None:
    judgments = [i.code for i in definition.requirements().inputs() if i.kind == "judgment"]
    assert judgments
    plain = ScreeningEntryForm(requirements=definition.requirements())
    judge = ScreeningEntryForm(requirements=definition.requirements(), can_judge=True)
    assert all(plain.fields[c].disabled for c in judgments)
    assert not any(judge.fields[c].disabled for c in judgments)


def _hmsc() -> ProtocolDefinition:
    return load_definition_file(ROOT / "protocols" / "hmsc100.yaml")


def test_only_what_changed_is_sent_and_an_untouched_site_range_stays_the_sites() -> None:
    definition = _hmsc()
    initial = {"expected_revision": 3, "alt__lln": Decimal(7), "alt__uln": Decimal(40)}
    data = {
        "expected_revision": "3",
        "alt__value": "95",
        "alt__unit": "U/L",
        "alt__lln": "7",
        "alt__uln": "40",
        "alt__range_unit": "U/L",
        "informed_consent": "yes",
    }
    form = ScreeningEntryForm(data, requirements=definition.requirements(), initial=initial)
    form.is_valid()
    ranges = {"alt": SiteRange(Decimal(7), Decimal(40), "U/L")}
    changes, _ = changes_from_form(form, ranges)
    assert [o.code for o in changes.observations] == ["alt"]
    assert not changes.observations[0].range_from_report
    assert dict(changes.answers) == {"informed_consent": "yes"}
    data["alt__uln"] = "35"
    form = ScreeningEntryForm(data, requirements=definition.requirements(), initial=initial)
    form.is_valid()
    changes, _ = changes_from_form(form, ranges)
    assert changes.observations[0].range_from_report
    assert changes.observations[0].uln == Decimal(35)


def test_service_messages_land_on_the_row_they_belong_to() -> None:
    definition = _hmsc()
    prefix = "med-rankl_inhibitor"
    data = {
        "expected_revision": "0",
        f"{prefix}-TOTAL_FORMS": "2",
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-0-drug": "denosumab",
        f"{prefix}-0-start": "2024-01-01",
        f"{prefix}-1-drug": "denosumab",
        f"{prefix}-1-start": "2025-01-01",
        f"{prefix}-1-stop": "2024-01-01",
    }
    form = ScreeningEntryForm(data, requirements=definition.requirements())
    form.is_valid()
    changes, origins = changes_from_form(form, {})
    assert len(changes.medications) == 2
    loose = form.add_service_errors(
        {"medications.1.stop": ["Stop is before start."], "medications": ["Elsewhere."]}, origins
    )
    assert loose == ["Elsewhere."]
    row = form.formsets["rankl_inhibitor"].forms[1]
    assert row.errors["stop"] == ["Stop is before start."]


def test_the_hint_converts_with_the_engines_rounding() -> None:
    definition = _hmsc()
    weight = definition.requirements().get("weight")
    hint = hint_for(definition, weight, Decimal("128.7"), "lb")
    assert hint.converted == "= 58.4 kg"
    assert not hint.implausible
    assert hint_for(definition, weight, Decimal("260"), "kg").implausible
    assert hint_for(definition, weight, Decimal("900"), "kg").impossible
