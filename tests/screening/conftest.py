"""Fixtures for the screening services: both seed protocols active at both sites,
demo reference ranges, and helpers that register and start candidates."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "protocols" / "examples"
# The example candidates are screened on 2026-11-20; the tests run "the day after",
# so that "in the future" means the same thing whenever the suite runs.
TODAY = date(2026, 11, 21)
SCREENING_DATE = date(2026, 11, 20)
CONSENT_DATE = date(2026, 11, 18)


@pytest.fixture(autouse=True)
def _frozen_today() -> Iterator[None]:
    import time_machine

    with time_machine.travel("2026-11-21 09:30:00+00:00", tick=True):
        yield


@pytest.fixture(autouse=True)
def _fresh_definitions() -> Iterator[None]:
    from screening.facts import definitions

    definitions.clear()
    yield
    definitions.clear()


@pytest.fixture
def protocols(site_a: Any, site_b: Any) -> dict[str, Any]:
    """Both seed protocols imported and active, linked to both sites; demo ranges."""
    from trials.catalogue import sync_builtin_catalogue
    from trials.demo import load_demo_reference_ranges
    from trials.models import TrialSite
    from trials.protocols import protocol_import

    sync_builtin_catalogue()
    load_demo_reference_ranges()
    versions = {}
    for path in sorted((ROOT / "protocols").glob("*.yaml")):
        outcome = protocol_import(
            text=path.read_text(encoding="utf-8"),
            source_name=f"protocols/{path.name}",
            user=None,
            activate=True,
        )
        version = outcome.version
        versions[version.trial.code] = version
        for site in (site_a, site_b):
            TrialSite.objects.get_or_create(trial=version.trial, site=site)
    return versions


@pytest.fixture
def hmsc(protocols: dict[str, Any]) -> Any:
    return protocols["HMSC100"].trial


@pytest.fixture
def nct(protocols: dict[str, Any]) -> Any:
    return protocols["NCT06495437"].trial


def example(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))
    return data


def register(
    user: Any,
    trial: Any,
    site: Any,
    *,
    sex: str = "F",
    born: date = date(1956, 4, 2),
    name: str = "Erika Mustermann",
) -> Any:
    from screening.services import IdentityData, candidate_register

    return candidate_register(
        user=user,
        trial=trial,
        site=site,
        identity=IdentityData(full_name=name, date_of_birth=born, hospital_number="H-1"),
        sex=sex,
    )


def start(user: Any, candidate: Any, **dates: date) -> Any:
    from screening.services import screening_start

    return screening_start(
        user=user,
        candidate=candidate,
        screening_date=dates.get("screening_date", SCREENING_DATE),
        consent_date=dates.get("consent_date", CONSENT_DATE),
    )


def save(user: Any, screening: Any, changes: Any, **kwargs: Any) -> Any:
    from screening.services import screening_save

    screening.refresh_from_db()
    return screening_save(
        user=user,
        screening=screening,
        changes=changes,
        expected_revision=kwargs.pop("expected_revision", screening.revision),
        **kwargs,
    )


def enter_example(coordinator: Any, investigator: Any, screening: Any, name: str) -> Any:
    """Enter an example candidate: the coordinator the data, the investigator the
    judgments. Returns the outcome of the investigator's save."""
    from dataclasses import replace

    from screening.services.changes import changes_from_facts

    changes = changes_from_facts(example(name))
    save(coordinator, screening, replace(changes, judgments={}))
    return save(investigator, screening, replace(_nothing(), judgments=changes.judgments))


def sign_withdrawal(coordinator: Any, investigator: Any, screening: Any) -> Any:
    """The coordinator proposes "withdrawn (declined)" and the investigator signs it:
    the quickest signed decision. Returns the signature."""
    from screening.services import decision_propose, decision_sign
    from tests.conftest import PASSWORD

    decision = decision_propose(
        user=coordinator, screening=screening, outcome="withdrawn", reason_category="declined"
    )
    return decision_sign(user=investigator, decision=decision, password=PASSWORD)


def _nothing() -> Any:
    from screening.services import ScreeningChanges

    return ScreeningChanges()


@pytest.fixture
def hmsc_screening(coordinator_a: Any, hmsc: Any, site_a: Any) -> Any:
    return start(coordinator_a, register(coordinator_a, hmsc, site_a))


@pytest.fixture
def nct_screening(coordinator_a: Any, nct: Any, site_a: Any) -> Any:
    candidate = register(coordinator_a, nct, site_a, sex="M", born=date(1975, 6, 15))
    return start(coordinator_a, candidate)
