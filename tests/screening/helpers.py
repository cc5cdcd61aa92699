"""Screening data the screening tests build on: an ALT reading, and the washout
example moved so that the washout ends within the week of ``tests.helpers.TODAY``."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from tests.helpers import example

DAY = date(2026, 11, 10)


def alt(value: str, unit: str = "U/L", **kwargs: Any) -> Any:
    """An ALT reading taken on ``DAY``, as the services take it."""
    from screening.services import ObservationInput

    return ObservationInput(code="alt", value=Decimal(value), unit=unit, observed_on=DAY, **kwargs)


def washout_ending_soon() -> Any:
    """The washout example with the last denosumab dose a year and a few days ago.

    Returns the changes and ``dataclasses.replace``, to split off the judgments."""
    from dataclasses import replace

    from screening.services.changes import changes_from_facts

    data = example("hmsc100-washout")
    data["medications"][1]["start"] = "2023-11-25"
    data["medications"][1]["stop"] = "2025-11-25"
    return changes_from_facts(data), replace


# --- A varied trial: every outcome, two sites, rescreens ---------------------------


def _decide(people: Any, screening: Any, outcome: str, *, sign: bool = True, **why: Any) -> Any:
    from screening.services import decision_propose, decision_sign
    from tests.helpers import PASSWORD

    coordinator, investigator, _site = people
    decision = decision_propose(user=coordinator, screening=screening, outcome=outcome, **why)
    if sign:
        decision_sign(user=investigator, decision=decision, password=PASSWORD)
    screening.refresh_from_db()
    return screening


def _started(people: Any, trial: Any, on: date) -> Any:
    from tests.helpers import register, start

    coordinator, _investigator, site = people
    return start(
        coordinator, register(coordinator, trial, site), screening_date=on, consent_date=on
    )


def _rescreened(people: Any, screening: Any, on: date) -> Any:
    from screening.services import screening_rescreen

    # The failures are signed "today", after the dates these attempts were screened on.
    return screening_rescreen(
        user=people[0],
        screening=screening,
        screening_date=on,
        consent_date=on,
        confirm_early=True,
        early_reason="Screened on paper before the failure was signed",
    )


def _eligible(people: Any, trial: Any, *, enrol: bool) -> Any:
    from screening.services import screening_enrol
    from tests.helpers import SCREENING_DATE, TODAY, enter_example

    coordinator, investigator, _site = people
    screening = _started(people, trial, SCREENING_DATE)
    enter_example(coordinator, investigator, screening, "hmsc100-eligible")
    _decide(people, screening, "eligible")
    if enrol:
        screening_enrol(user=coordinator, screening=screening, enrolled_on=TODAY)
    return screening


def varied_trial(trial: Any, site_a: Any, site_b: Any, people_a: Any, people_b: Any) -> None:
    """HMSC100 screened at two sites through the services, every outcome at least once.

    ``people_*``: (coordinator, investigator, site). Seventeen candidates — site A 11, B 6:

    * not started: A 2, B 1;
    * still in screening: A 4 (in progress, awaiting signature, needs review, and a
      rescreen in progress after a failure for E8b);
    * eligible: A 2 (one enrolled), B 1 (enrolled);
    * screen failures: for criteria A 1 (I2, E1), B 2 (I2; I3 again after a rescreen),
      declined A 1, lost to follow-up B 1, other A 1;
    * withdrawn (declined): B 1.
    """
    from screening.services import ScreeningChanges
    from tests.helpers import register

    for people, count in ((people_a, 2), (people_b, 1)):
        for _ in range(count):
            register(people[0], trial, people[2])
    a, b = people_a, people_b
    _started(a, trial, date(2026, 9, 14))
    _decide(
        a,
        _started(a, trial, date(2026, 10, 5)),
        "screen_failure",
        sign=False,
        reason_category="declined",
    )
    _eligible(a, trial, enrol=False)
    _eligible(a, trial, enrol=True)
    _eligible(b, trial, enrol=True)
    fail = {"outcome": "screen_failure", "reason_category": "criteria"}
    _decide(a, _started(a, trial, date(2026, 9, 1)), **fail, failed_criteria=["I2", "E1"])
    _decide(b, _started(b, trial, date(2026, 10, 15)), **fail, failed_criteria=["I2"])
    first = _decide(a, _started(a, trial, date(2026, 9, 7)), **fail, failed_criteria=["E8b"])
    _rescreened(a, first, date(2026, 10, 20))
    first = _decide(b, _started(b, trial, date(2026, 9, 21)), **fail, failed_criteria=["I3"])
    _decide(b, _rescreened(b, first, date(2026, 11, 3)), **fail, failed_criteria=["I3"])
    _decide(a, _started(a, trial, date(2026, 10, 12)), "screen_failure", reason_category="declined")
    _decide(
        b,
        _started(b, trial, date(2026, 11, 16)),
        "screen_failure",
        reason_category="lost_to_follow_up",
    )
    _decide(
        a,
        _started(a, trial, date(2026, 11, 2)),
        "screen_failure",
        reason_category="other",
        reason_text="Moved abroad",
    )
    _decide(b, _started(b, trial, date(2026, 10, 1)), "withdrawn", reason_category="declined")
    reviewed = _decide(
        a, _started(a, trial, date(2026, 11, 12)), "screen_failure", reason_category="declined"
    )
    from tests.helpers import save

    save(a[0], reviewed, ScreeningChanges(observations=[alt("30")]))
