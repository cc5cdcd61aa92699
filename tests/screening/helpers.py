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
