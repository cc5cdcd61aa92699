"""Event details are compared with the values their event type declares: in any case, and a
value the protocol does not declare is refused (with the catalogue) or warned about."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from eligibility import ProtocolDefinition

from .helpers import PROTOCOLS, run

Build = Callable[..., ProtocolDefinition]
FRAGILITY = "history of fracture where fragility is yes within 2 years before screening"


def facts_with(fragility: str) -> dict[str, object]:
    return {
        "sex": "F",
        "date_of_birth": "1960-01-01",
        "history": [
            {"code": "fracture", "date": "2025-09-03", "details": {"fragility": fragility}}
        ],
    }


def test_a_detail_in_another_case_matches_the_declared_value(small: Build) -> None:
    result = run(small(FRAGILITY), facts_with("Yes"))
    assert result.criterion("I1").condition == "true"
    assert result.warnings == ()


def test_an_undeclared_detail_value_read_without_the_catalogue_is_warned_about(
    small: Build,
) -> None:
    result = run(small(FRAGILITY), facts_with("probably"))
    assert result.criterion("I1").condition == "false"
    assert result.warnings == (
        "history[0].details.fragility: 'probably' is not a declared value (allowed: yes, no)",
    )


def test_the_cli_refuses_an_undeclared_detail_value_naming_event_detail_and_values(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from eligibility.__main__ import main

    path = tmp_path / "facts.json"
    path.write_text(
        json.dumps({**facts_with("probably"), "screening_date": "2026-11-20"}), encoding="utf-8"
    )
    assert main(["evaluate", str(PROTOCOLS / "hmsc100.yaml"), str(path)]) == 2
    err = capsys.readouterr().err
    assert "history[0].details.fragility" in err
    assert "'probably' is not a declared value of fragility for event 'fracture'" in err
    assert "allowed: yes, no" in err
