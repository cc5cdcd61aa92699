"""Screening through the facts adapter and the save service, on a throw-away database.

The first screening benchmark to run creates a test database (Django's test-database
machinery: in memory on SQLite, ``test_<name>`` on PostgreSQL), migrates it and loads
both seed protocols, two sites and their demo reference ranges; it is dropped when the
run ends. The development database is never touched.
"""

from __future__ import annotations

import atexit
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

from benchmarks.runner import Benchmark

PASSWORD = "benchmark-password-not-secret"  # noqa: S105 -- throw-away database


@cache
def _world() -> dict[str, Any]:
    import json

    from django.conf import settings
    from django.test.utils import setup_databases, teardown_databases

    from accounts.models import SiteMembership, User
    from trials.catalogue import sync_builtin_catalogue
    from trials.demo import load_demo_reference_ranges
    from trials.models import Site, TrialSite
    from trials.services.protocols import protocol_import

    config = setup_databases(verbosity=0, interactive=False)
    atexit.register(teardown_databases, config, verbosity=0)
    root = settings.BASE_DIR
    site = Site.objects.create(code="A01", name="Site A", country="DE", time_zone="Europe/Berlin")
    Site.objects.create(code="B01", name="Site B", country="GB", time_zone="Europe/London")
    user = User.objects.create_user(
        username="inv", password=PASSWORD, full_name="Bench Investigator", email="i@example.org"
    )
    SiteMembership.objects.create(user=user, site=site, role="investigator")
    sync_builtin_catalogue()
    load_demo_reference_ranges()
    trials = {}
    for path in sorted((root / "protocols").glob("*.yaml")):
        version = protocol_import(
            text=path.read_text(encoding="utf-8"), source_name=path.name, user=None, activate=True
        ).version
        TrialSite.objects.create(trial=version.trial, site=site)
        trials[version.trial.code] = version.trial
    example = json.loads(
        (root / "protocols" / "examples" / "hmsc100-eligible.json").read_text(encoding="utf-8")
    )
    return {
        "site": site,
        "user": user,
        "trial": trials["HMSC100"],
        "example": example,
        "root": root,
    }


def _new_screening() -> Any:
    from screening.services import IdentityData, candidate_register, screening_start

    world = _world()
    candidate = candidate_register(
        user=world["user"],
        trial=world["trial"],
        site=world["site"],
        identity=IdentityData(full_name="Bench Candidate", date_of_birth=date(1956, 4, 2)),
        sex="F",
    )
    return screening_start(
        user=world["user"],
        candidate=candidate,
        screening_date=date(2026, 11, 20),
        consent_date=date(2026, 11, 18),
    )


def _full_changes() -> Any:
    from screening.services.changes import changes_from_facts

    return changes_from_facts(_world()["example"])


@cache
def _entered_screening() -> Any:
    from screening.services import screening_save

    screening = _new_screening()
    screening_save(
        user=_world()["user"], screening=screening, changes=_full_changes(), expected_revision=0
    )
    return screening


def _evaluate(cached: bool) -> Callable[[], Callable[[], object]]:
    def setup() -> Callable[[], object]:
        from screening.engine_bridge import definitions, evaluate_screening

        screening = _entered_screening()

        def run() -> object:
            definitions.enabled = cached
            try:
                result = evaluate_screening(screening)
            finally:
                definitions.enabled = True
            if result.status != "eligible":
                raise RuntimeError(f"the benchmark candidate is {result.status}")
            return result

        return run

    return setup


def _save_full_form() -> Callable[[], object]:
    from screening.services import screening_save

    rounds = 20 + 1  # one untimed warm-up round
    screenings = [_new_screening() for _ in range(rounds)]
    changes = _full_changes()

    def run() -> object:
        screening = screenings.pop()
        return screening_save(
            user=_world()["user"], screening=screening, changes=changes, expected_revision=0
        )

    return run


def _save_one_correction() -> Callable[[], object]:
    from screening.services import ObservationInput, screening_save

    screening = _entered_screening()
    full = _full_changes()
    weights = [Decimal("58.4"), Decimal("58.5")]
    state = {"n": 0}

    def run() -> object:
        state["n"] += 1
        weight = ObservationInput(
            code="weight", value=weights[state["n"] % 2], unit="kg", observed_on=date(2026, 11, 20)
        )
        others = [o for o in full.observations if o.code != "weight"]
        screening.refresh_from_db()
        return screening_save(
            user=_world()["user"],
            screening=screening,
            changes=replace(full, observations=[*others, weight]),
            expected_revision=screening.revision,
            reason_code="transcription_error",
        )

    return run


IMPACT_SCREENINGS = 10_000


def _clone(template: Any, count: int, each: Callable[[Any, int], None]) -> list[Any]:
    from copy import copy

    made = []
    for n in range(count):
        row = copy(template)
        row.pk = None
        row._state = type(template._state)()
        each(row, n)
        made.append(row)
    return made


def _amendment_impact() -> Callable[[], object]:
    """10,000 open hMSC100 screenings (copies of one entered in full, inserted in bulk)
    forecast under a draft that caps the age at 65."""
    from django.db import transaction

    from screening.models import AmendmentImpact, Candidate, Evaluation, Screening
    from screening.services import screening_number
    from screening.services.amendments import amendment_impact_run
    from trials.services.protocols import protocol_import

    world = _world()
    screening = _entered_screening()
    candidate = screening.candidate
    evaluation = Evaluation.objects.filter(screening=screening).newest_first().first()
    more = IMPACT_SCREENINGS - 1
    first = candidate.sequence + 1000

    def numbered(row: Any, n: int) -> None:
        row.sequence = first + n
        row.screening_number = screening_number(candidate.trial, candidate.site, first + n)

    with transaction.atomic():
        candidates = Candidate.objects.bulk_create(
            _clone(candidate, more, numbered), batch_size=1000
        )
        screenings = Screening.objects.bulk_create(
            _clone(screening, more, lambda row, n: setattr(row, "candidate", candidates[n])),
            batch_size=1000,
        )
        Evaluation.objects.bulk_create(
            _clone(evaluation, more, lambda row, n: setattr(row, "screening", screenings[n])),
            batch_size=500,
        )
    text = (world["root"] / "protocols" / "hmsc100.yaml").read_text(encoding="utf-8")
    text = text.replace('protocol_version: "1.0-registry"', 'protocol_version: "9.0-bench"')
    text = text.replace("age between 45 and 85 years", "age between 45 and 65 years")
    draft = protocol_import(text=text, source_name="hmsc100-bench.yaml", user=None).version

    def run() -> object:
        impact = AmendmentImpact.objects.create(version=draft, requested_by=world["user"])
        done = amendment_impact_run(impact.pk)
        if (done.total, done.changed_count) != (IMPACT_SCREENINGS, IMPACT_SCREENINGS):
            raise RuntimeError(f"forecast {done.total} / {done.changed_count}")
        return done

    return run


BENCHMARKS = [
    Benchmark(
        name="screening evaluation (definition cached)",
        description="facts from a full hMSC100 screening's rows + engine run, definition cached",
        setup=_evaluate(cached=True),
        rounds=30,
    ),
    Benchmark(
        name="screening evaluation (no cache)",
        description="the same, loading the definition from the database every time",
        setup=_evaluate(cached=False),
        rounds=10,
    ),
    Benchmark(
        name="screening save, full form",
        description="screening_save first entry of a whole hMSC100 form: validate, write, "
        "audit ~45 events, evaluate",
        setup=_save_full_form,
        rounds=20,
    ),
    Benchmark(
        name="screening save, one correction",
        description="the whole form posted again with one value changed and a reason",
        setup=_save_one_correction,
        rounds=20,
    ),
    Benchmark(
        name="amendment impact, 10,000 open screenings",
        description="a worker's forecast of a draft over 10,000 open hMSC100 screenings: "
        "latest facts read 500 at a time, each evaluated under the draft",
        setup=_amendment_impact,
        operations=IMPACT_SCREENINGS,
        rounds=3,
    ),
]
