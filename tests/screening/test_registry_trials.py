"""The registry trials of protocols/ run through the screening app: imported and active
like the seeds, each adjudicated example entered through the real services ends with the
status and blocking criteria the engine gives for the same facts, and the data-entry
page shows every field the trial needs."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from eligibility import evaluate, load_definition_file, load_facts
from screening.models import Observation
from screening.services import ObservationInput, ScreeningChanges, ScreeningValidationError
from tests.helpers import (
    EXAMPLES,
    ROOT,
    SEED_PROTOCOLS,
    enter_example,
    example,
    import_protocols,
    register,
    save,
    start,
)

pytestmark = pytest.mark.django_db

TRIALS = sorted(p.stem for p in (ROOT / "protocols").glob("*.yaml") if p.stem not in SEED_PROTOCOLS)
CASES = [
    (trial, path.stem) for trial in TRIALS for path in sorted(EXAMPLES.glob(f"{trial}-*.json"))
]


def engine_result(trial: str, name: str) -> Any:
    definition = load_definition_file(ROOT / "protocols" / f"{trial}.yaml")
    facts = example(name)
    read = load_facts(facts, catalogue=definition.catalogue)
    return evaluate(definition, read, date.fromisoformat(facts["screening_date"]))


def screening_for(coordinator: Any, site_b: Any, site: Any, trial: str, name: str) -> Any:
    """The trial imported and active at both sites, and a screening started for the
    example's candidate at ``site``."""
    (version,) = import_protocols(site, site_b, (trial,)).values()
    facts = example(name)
    candidate = register(
        coordinator,
        version.trial,
        site,
        sex=facts["sex"],
        born=date.fromisoformat(facts["date_of_birth"]),
    )
    return start(coordinator, candidate)


def test_every_registry_trial_has_its_three_examples() -> None:
    assert TRIALS
    for trial in TRIALS:
        names = {name for t, name in CASES if t == trial}
        assert {f"{trial}-eligible", f"{trial}-ineligible", f"{trial}-incomplete"} <= names


@pytest.mark.parametrize(("trial", "name"), CASES, ids=[name for _, name in CASES])
def test_an_example_entered_in_the_app_gives_the_engines_result(
    coordinator_a: Any,
    investigator_a: Any,
    fresh_definitions: None,
    site_a: Any,
    site_b: Any,
    trial: str,
    name: str,
) -> None:
    screening = screening_for(coordinator_a, site_b, site_a, trial, name)
    enter_example(coordinator_a, investigator_a, screening, name)
    evaluation = screening.evaluations.newest_first().first()
    expected = engine_result(trial, name)
    assert evaluation.status == expected.status
    assert list(evaluation.blocking) == [c.id for c in expected.criteria if c.blocks]


@pytest.mark.parametrize("trial", TRIALS)
def test_the_entry_page_asks_for_everything_the_trial_needs(
    coordinator_a: Any, fresh_definitions: None, site_a: Any, site_b: Any, trial: str
) -> None:
    screening = screening_for(coordinator_a, site_b, site_a, trial, f"{trial}-eligible")
    client = Client()
    client.force_login(coordinator_a)
    page = client.get(reverse("screening:entry", kwargs={"pk": screening.pk}))
    assert page.status_code == 200
    html = page.content.decode()
    definition = load_definition_file(ROOT / "protocols" / f"{trial}.yaml")
    for spec in definition.requirements().inputs():
        if spec.kind in ("answer", "measurement", "lab"):
            assert spec.code in html, spec.code


def test_a_fractional_grade_is_refused_naming_the_field_and_its_grades(
    coordinator_a: Any, fresh_definitions: None, site_a: Any, site_b: Any
) -> None:
    """ECOG has grades 0 to 5 and nothing between: 1.5 is refused, not rounded to 2."""
    screening = screening_for(coordinator_a, site_b, site_a, "nct00275132", "nct00275132-eligible")
    grade = ObservationInput(
        code="ecog_performance_status",
        value=Decimal("1.5"),
        unit="",
        observed_on=screening.screening_date,
    )
    with pytest.raises(ScreeningValidationError) as caught:
        save(coordinator_a, screening, ScreeningChanges(observations=[grade]))
    assert caught.value.message_dict["ecog_performance_status"] == [
        "ECOG performance status: 1.5 is not a whole number; it must be between 0 and 5."
    ]
    assert not Observation.objects.filter(screening=screening).exists()
