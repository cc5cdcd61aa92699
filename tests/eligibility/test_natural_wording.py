"""Explanations and reasons read naturally: singular units, names as the catalogue writes
them, exact month lengths, a one-sided reference range said in words."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from eligibility import ProtocolDefinition, explain
from eligibility.textfmt import in_sentence, limit_days_text, range_text, with_unit

from .helpers import run

Build = Callable[..., ProtocolDefinition]
WOMAN = {"sex": "F", "date_of_birth": "1960-01-01"}


def test_one_year_is_singular_and_other_amounts_stay_plural(small: Build) -> None:
    assert with_unit(Decimal(1), "years") == "1 year"
    assert with_unit(Decimal(2), "years") == "2 years"
    assert with_unit(Decimal("1.0"), "years") == "1.0 years"
    assert with_unit(Decimal(1), "kg") == "1 kg"
    plain = explain(small("years_since_menopause >= 1 years"))[0].plain
    assert plain == "Included only if Years since final menstrual period is at least 1 year."


def test_names_keep_the_capitals_the_catalogue_gives_them(small: Build) -> None:
    assert in_sentence("Fracture") == "fracture"
    assert in_sentence("Hepatitis B reactivation") == "hepatitis B reactivation"
    assert in_sentence("HIV infection") == "HIV infection"
    assert in_sentence("T-score") == "T-score"
    plain = explain(small("history of myocardial_infarction within 6 months before screening"))
    assert "history of myocardial infarction within 6 months" in plain[0].plain


def test_a_month_limit_is_given_in_exact_days_never_as_30(small: Build) -> None:
    # The engine's month is 365/12 = 30.4166… days (model.duration_days).
    assert limit_days_text(Decimal(365) / 12) == "≈ 30.42 days"
    assert limit_days_text(Decimal(3 * 365) / 12) == "91.25 days"
    assert limit_days_text(Decimal(1)) == "1 day"
    definition = small(
        "cumulative use of oral bisphosphonate > 1 month", extra="", kind="exclusion"
    )
    facts: dict[str, Any] = {
        **WOMAN,
        "medications": [{"drug": "alendronic_acid", "start": "2026-01-01", "stop": "2026-01-30"}],
    }
    summary = run(definition, facts).criterion("E1").summary
    assert "is not above 1 month (≈ 30.42 days)" in summary
    assert "(30 days)" not in summary


def test_a_reference_range_missing_one_limit_is_said_in_words(small: Build) -> None:
    assert range_text(None, Decimal(20), "IU/mL") == "up to 20 IU/mL (no lower limit given)"
    assert range_text(Decimal(7), None, "U/L") == "from 7 U/L (no upper limit given)"
    assert range_text(Decimal(7), Decimal(40), "U/L") == "7 U/L–40 U/L"
    assert range_text(None, None, "U/L") == "not given"
    lab = {
        "code": "alt",
        "value": "22",
        "unit": "U/L",
        "date": "2026-11-10",
        "reference_range": {"uln": "40", "unit": "U/L"},
    }
    result = run(small("alt outside reference range"), {**WOMAN, "labs": [lab]})
    reasons = " ".join(result.criterion("I1").reasons)
    assert "reference range up to 40 U/L (no lower limit given)" in reasons
    assert "?" not in reasons
