"""Medication exposures: which records match a drug or class, how dates and doses count,
and what stays unknown (screening on 2026-11-20)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from eligibility import ProtocolDefinition

from .helpers import run

Build = Callable[..., ProtocolDefinition]


def check(definition: ProtocolDefinition, *medications: dict[str, Any] | None) -> Any:
    """The one criterion's result for a woman born 1960 with these medications
    (``None``: medication history not recorded)."""
    facts: dict[str, Any] = {"sex": "F", "date_of_birth": "1960-01-01"}
    if medications != (None,):
        facts["medications"] = list(medications)
    return run(definition, facts)


def course(drug: str, start: str | None, stop: str | None = None, **more: Any) -> dict[str, Any]:
    item: dict[str, Any] = {"drug": drug, **more}
    if start is not None:
        item["start"] = start
    if stop is not None:
        item["stop"] = stop
    return item


def daily(value: str, unit: str = "mg/day") -> dict[str, str]:
    return {"value": value, "unit": unit}


DENOSUMAB_WINDOW = "last dose of denosumab within 12 months before screening"


@pytest.mark.parametrize(
    ("record", "condition"),
    [
        pytest.param({"drug": "denosumab"}, "true", id="the drug itself"),
        pytest.param({"atc": "M05BX04"}, "true", id="its ATC code only"),
        pytest.param({"class": "rankl_inhibitor"}, "unknown", id="only its class"),
        pytest.param({"class": "pth_analogue"}, "false", id="another class"),
        pytest.param({"drug": "investigational_mab"}, "unknown", id="a drug Eligo does not know"),
    ],
)
def test_a_rule_naming_one_drug_matches_it_by_code_atc_or_class(
    small: Build, record: dict[str, Any], condition: str
) -> None:
    exposure = {**record, "start": "2025-03-15", "stop": "2026-03-15"}
    assert check(small(DENOSUMAB_WINDOW), exposure).criterion("I1").condition == condition


def test_an_exposure_known_only_by_its_atc_code_is_named_by_it(small: Build) -> None:
    exposure = {"atc": "M05BX04", "start": "2025-03-15", "stop": "2026-03-15"}
    assert check(small(DENOSUMAB_WINDOW), exposure).criterion("I1").summary == (
        "Met: Last ATC M05BX04 (denosumab) dose 2026-03-15 is within 12 months before "
        "screening (2026-11-20)"
    )


def test_an_unknown_drug_is_unknown_and_warned_about(small: Build) -> None:
    result = check(
        small(DENOSUMAB_WINDOW), course("investigational_mab", "2026-01-01", "2026-03-15")
    )
    assert result.criterion("I1").missing[0].reason == (
        "stop date, drug or route of an exposure not recorded"
    )
    assert result.warnings == (
        "medications[0]: drug 'investigational_mab' is not in the catalogue; it may belong "
        "to any class",
    )


def test_a_course_planned_after_screening_is_not_an_exposure(small: Build) -> None:
    result = check(small(DENOSUMAB_WINDOW), course("denosumab", "2026-12-01", ongoing=True))
    assert result.criterion("I1").condition == "false"
    assert result.criterion("I1").summary == "Not met: No denosumab recorded"


@pytest.mark.parametrize(
    "record",
    [
        pytest.param({"class": "glucose_metabolism_drug"}, id="recorded only by a broader class"),
        pytest.param({"drug": "herbal_tea"}, id="a drug without ATC code Eligo does not know"),
    ],
)
def test_a_record_that_may_belong_to_the_class_is_unknown_never_no(
    small: Build, record: dict[str, Any]
) -> None:
    rule = "last dose of antidiabetic within 1 month before screening"
    result = check(small(rule), {**record, "start": "2026-01-01", "ongoing": True})
    assert result.criterion("I1").condition == "unknown"


def test_a_drug_never_given_by_the_route_asked_for_does_not_match(small: Build) -> None:
    # Triamcinolone is given orally or intramuscularly: never intravenously.
    rule = "last dose of intravenous systemic_glucocorticoid within 1 month before screening"
    result = check(small(rule), course("triamcinolone", "2026-11-01", ongoing=True))
    assert result.criterion("I1").condition == "false"
    assert result.criterion("I1").summary == (
        "Not met: No intravenous systemic glucocorticoid recorded"
    )


def test_overlapping_courses_count_their_shared_days_once(small: Build) -> None:
    definition = small("cumulative use of oral bisphosphonate >= 1 year")
    result = check(
        definition,
        course("alendronic_acid", "2024-01-01", "2024-09-30"),  # 274 days
        course("risedronic_acid", "2024-07-01", "2024-12-30"),  # 183 days, 92 of them shared
    )
    assert result.criterion("I1").summary == (
        "Met: Cumulative oral bisphosphonate use 365 days (about 1.0 years) is at least 1 year "
        "(365 days)"
    )


def test_a_course_without_a_start_date_has_no_upper_bound(small: Build) -> None:
    definition = small("cumulative use of oral bisphosphonate >= 3 years")
    result = check(definition, course("alendronic_acid", None, "2020-01-01")).criterion("I1")
    assert result.condition == "unknown"
    assert "between 1 day and unknown" in result.reasons[0]
    assert [m.reason for m in result.missing] == ["exposure dates, drug or route not recorded"]


SUSTAINED = "use of systemic_glucocorticoid at >= 7.5 mg/day for more than 3 months ongoing"
SUSTAINED_PE = (
    "use of systemic_glucocorticoid at >= 7.5 mg/day prednisolone-equivalent "
    "for more than 3 months ongoing"
)


def test_a_sustained_dose_reads_the_daily_dose_as_recorded(small: Build) -> None:
    result = check(
        small(SUSTAINED), course("prednisolone", "2026-01-01", ongoing=True, daily_dose=daily("10"))
    )
    assert result.criterion("I1").summary == (
        "Met: systemic glucocorticoid at ≥ 7.5 mg/day for 324 days (about 10.7 months) up to "
        "screening: meets > 3 months; prednisolone ongoing (started 2026-01-01), 10 mg/day"
    )


@pytest.mark.parametrize(
    ("rule", "exposure"),
    [
        pytest.param(
            SUSTAINED,
            course("prednisolone", "2026-01-01", ongoing=True, daily_dose=daily("70", "mg/week")),
            id="dose per week",
        ),
        pytest.param(
            SUSTAINED,
            course("prednisolone", "2026-01-01", ongoing=True, daily_dose=daily("2", "tablets")),
            id="dose in tablets",
        ),
        pytest.param(
            SUSTAINED,
            course("prednisolone", "2026-01-01", ongoing=True, daily_dose=daily("0.01", "g")),
            id="dose in grams",
        ),
        pytest.param(
            SUSTAINED_PE,
            {
                "class": "systemic_glucocorticoid",
                "start": "2026-01-01",
                "ongoing": True,
                "daily_dose": daily("10"),
            },
            id="class only, so no prednisolone equivalence",
        ),
    ],
)
def test_a_dose_that_cannot_be_read_as_mg_per_day_leaves_the_rule_unknown(
    small: Build, rule: str, exposure: dict[str, Any]
) -> None:
    result = check(small(rule), exposure).criterion("I1")
    assert result.condition == "unknown"
    assert result.reasons[0].startswith("Cannot tell whether systemic glucocorticoid was taken")
    assert result.reasons[1].endswith(", daily dose not usable")
    assert [m.reason for m in result.missing] == [
        "drug, daily dose or dates of an exposure not recorded"
    ]


def test_a_tapered_dose_that_stays_at_the_level_is_one_continuous_run(small: Build) -> None:
    result = check(
        small(SUSTAINED_PE),
        course("prednisolone", "2026-01-01", "2026-05-31", daily_dose=daily("20")),
        course("prednisolone", "2026-06-01", ongoing=True, daily_dose=daily("10")),
    ).criterion("I1")
    assert result.condition == "true"
    assert result.reasons[0].endswith(
        "for 324 days (about 10.7 months) up to screening: meets > 3 months"
    )


def test_a_taper_below_the_level_ends_the_run(small: Build) -> None:
    result = check(
        small(SUSTAINED_PE),
        course("prednisolone", "2026-01-01", "2026-05-31", daily_dose=daily("20")),
        course("prednisolone", "2026-06-01", ongoing=True, daily_dose=daily("5")),
    ).criterion("I1")
    assert result.condition == "false"
    assert "prednisolone ongoing (started 2026-06-01), 5 mg/day prednisolone-equivalent" in (
        result.reasons
    )


def test_the_current_glucocorticoid_dose_sums_what_is_taken_on_the_screening_day(
    small: Build,
) -> None:
    result = check(
        small("prednisolone_equivalent_dose >= 7.5 mg/day"),
        course("prednisolone", "2025-01-01", "2026-05-31", daily_dose=daily("20")),  # stopped
        course("dexamethasone", "2026-06-01", ongoing=True, daily_dose=daily("1.5")),
    )
    assert result.criterion("I1").summary == (
        "Met: Current systemic glucocorticoid dose (prednisolone equivalent) 10.00 mg/day is at "
        "least 7.50 mg/day"
    )


def test_without_a_medication_history_the_current_dose_is_unknown(small: Build) -> None:
    result = check(small("prednisolone_equivalent_dose >= 7.5 mg/day"), None).criterion("I1")
    assert result.condition == "unknown"
    assert [m.code for m in result.missing] == ["medications"]


@pytest.mark.parametrize(
    ("exposure", "summary"),
    [
        (
            course("romosozumab", "2020-01-01", "2020-12-31"),
            "Met: Used romosozumab: romosozumab last dose 2020-12-31",
        ),
        (course("denosumab", "2020-01-01", "2020-12-31"), "Not met: No romosozumab recorded"),
    ],
)
def test_any_use_looks_at_the_whole_history(
    small: Build, exposure: dict[str, Any], summary: str
) -> None:
    assert check(small("any use of romosozumab"), exposure).criterion("I1").summary == summary


@pytest.mark.parametrize(
    ("exposures", "condition", "summary"),
    [
        (
            (course("prednisolone", "2026-01-01", ongoing=True),),
            "true",
            "Met: prednisolone ongoing (started 2026-01-01)",
        ),
        (
            (course("prednisolone", "2026-01-01", "2026-06-01"),),
            "false",
            "Not met: No current systemic glucocorticoid; prednisolone last dose 2026-06-01",
        ),
        (
            (course("prednisolone", "2026-01-01"),),
            "unknown",
            "Unknown: missing systemic glucocorticoid (whether the exposure is ongoing)",
        ),
        (
            (None,),
            "unknown",
            "Unknown: missing Medication history",
        ),
    ],
    ids=["ongoing", "stopped", "stop date not recorded", "no medication history"],
)
def test_current_use_means_taken_on_the_screening_date(
    small: Build, exposures: tuple[dict[str, Any] | None, ...], condition: str, summary: str
) -> None:
    result = check(small("current use of systemic_glucocorticoid"), *exposures).criterion("I1")
    assert (result.condition, result.summary) == (condition, summary)


def test_a_current_glucocorticoid_without_a_named_drug_leaves_the_dose_unknown(
    small: Build,
) -> None:
    exposure = {
        "class": "systemic_glucocorticoid",
        "start": "2026-01-01",
        "ongoing": True,
        "daily_dose": daily("10"),
    }
    result = check(small("prednisolone_equivalent_dose >= 7.5 mg/day"), exposure)
    assert [m.reason for m in result.criterion("I1").missing] == [
        "systemic glucocorticoid ongoing (started 2026-01-01): drug, daily dose or stop date "
        "not recorded"
    ]


# A protocol's own classes declared only by ATC prefixes: a built-in drug recorded by its
# code belongs to them through its own ATC code (alendronic acid is M05BA04, amitriptyline
# N06AA09), not only through the catalogue classes it is listed under.
ATC_CLASSES = """drug_classes:
  - {code: oral_bisphosphonate_atc, label: bisphosphonate by ATC, atc: [M05BA]}
  - {code: centrally_acting, label: centrally acting drug, atc: [N05A, N06A, N03A]}"""


@pytest.mark.parametrize(
    ("selector", "record", "condition"),
    [
        pytest.param("oral_bisphosphonate_atc", {"drug": "alendronic_acid"}, "true", id="M05BA"),
        pytest.param("centrally_acting", {"drug": "amitriptyline"}, "true", id="tricyclic"),
        pytest.param("oral_bisphosphonate_atc", {"drug": "denosumab"}, "false", id="other ATC"),
        pytest.param("centrally_acting", {"atc": "N06AA09"}, "true", id="ATC code recorded"),
    ],
)
def test_a_class_declared_by_atc_prefix_matches_a_built_in_drug_by_its_own_code(
    small: Build, selector: str, record: dict[str, Any], condition: str
) -> None:
    definition = small(f"any use of {selector}", extra=ATC_CLASSES)
    exposure = {**record, "start": "2025-03-15", "stop": "2026-03-15"}
    assert check(definition, exposure).criterion("I1").condition == condition
