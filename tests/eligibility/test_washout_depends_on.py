"""An eligible-from date that rests on a missing fact says so, in the summary and the JSON."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from eligibility import ProtocolDefinition

from .helpers import run

Build = Callable[..., ProtocolDefinition]
RULE = "last dose of pth_analogue within 6 months before screening"


def _result(small: Build, course: dict[str, Any]) -> Any:
    facts = {"sex": "F", "date_of_birth": "1960-01-01", "medications": [course]}
    return run(small(RULE, kind="exclusion"), facts).criterion("E1")


def test_a_course_without_stop_date_gives_a_latest_date_and_names_what_is_missing(
    small: Build,
) -> None:
    # Started 2026-09-01, stop not recorded: taken until screening (2026-11-20) at worst,
    # so certainly clear only six months after screening, but maybe from 2027-03-02.
    result = _result(small, {"drug": "teriparatide", "start": "2026-09-01"})
    assert result.outcome == "not_met"
    assert result.eligible_from == date(2027, 5, 21)
    assert [m.kind for m in result.eligible_from_depends_on] == ["medications"]
    assert result.summary.endswith(
        "eligible from 2027-05-21 at the latest, possibly earlier: the date depends on "
        f"missing {result.eligible_from_depends_on[0].label} "
        f"({result.eligible_from_depends_on[0].reason})"
    )
    data = result.to_dict()
    assert data["eligible_from"] == "2027-05-21"
    assert data["eligible_from_depends_on"][0]["kind"] == "medications"


def test_a_recorded_stop_date_gives_the_exact_date_and_no_caveat(small: Build) -> None:
    result = _result(small, {"drug": "teriparatide", "start": "2026-01-01", "stop": "2026-09-01"})
    assert result.eligible_from == date(2027, 3, 2)
    assert result.eligible_from_depends_on == ()
    assert result.summary.endswith("eligible from 2027-03-02")
    assert result.to_dict()["eligible_from_depends_on"] == []
