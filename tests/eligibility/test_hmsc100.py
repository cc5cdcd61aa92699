"""The hMSC100 protocol on realistic candidates (screening on 2026-11-20)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from eligibility import ProtocolDefinition

from .helpers import Facts, drop_reading, run, set_reading

CRITERIA = [
    "I1",
    "I2",
    "I3",
    "I4",
    "E1",
    "E2",
    "E3",
    "E4",
    "E5",
    "E6",
    "E7",
    "E8a",
    "E8b",
    "E8c",
    "E9",
    "E10",
    "E11",
    "E12",
    "E13",
    "E14",
    "E15",
    "E16",
    "E17",
]


def test_every_criterion_is_encoded_once_with_its_verbatim_text(
    hmsc100: ProtocolDefinition,
) -> None:
    assert [c.id for c in hmsc100.criteria] == CRITERIA
    assert hmsc100.criterion("I4").text.count("High risk of falling;") == 1
    assert hmsc100.criterion("E8b").text == (
        "Treatment with any RANKL inhibitor (such as denosumab) within the past year;"
    )


def test_a_clearly_eligible_candidate_is_eligible(
    hmsc100: ProtocolDefinition, hmsc_facts: Facts
) -> None:
    result = run(hmsc100, hmsc_facts)
    assert result.status == "eligible"
    assert {c.outcome for c in result.criteria} == {"met"}
    assert result.eligible_from is None


def only_t_score(facts: Facts) -> Facts:
    """Remove every other route into I4 so that the T-score alone decides it."""
    facts["history"] = [e for e in facts["history"] if e["code"] != "fracture"]
    return facts


@pytest.mark.parametrize(("t_score", "outcome"), [("-3.0", "not_met"), ("-3.1", "met")])
def test_t_score_below_minus_three_is_strict(
    hmsc100: ProtocolDefinition, hmsc_facts: Facts, t_score: str, outcome: str
) -> None:
    facts = set_reading(only_t_score(hmsc_facts), "t_score_lumbar_spine", value=t_score)
    assert run(hmsc100, facts).criterion("I4").outcome == outcome


@pytest.mark.parametrize(("frax", "outcome"), [("30.0", "not_met"), ("30.1", "met")])
def test_frax_mof_above_30_percent_is_strict(
    hmsc100: ProtocolDefinition, hmsc_facts: Facts, frax: str, outcome: str
) -> None:
    facts = set_reading(only_t_score(hmsc_facts), "t_score_lumbar_spine", value="-2.8")
    facts = set_reading(facts, "frax_mof", value=frax)
    assert run(hmsc100, facts).criterion("I4").outcome == outcome


def test_two_fracture_sites_or_a_fracture_on_treatment_qualify(
    hmsc100: ProtocolDefinition, hmsc_facts: Facts
) -> None:
    facts = set_reading(only_t_score(hmsc_facts), "t_score_lumbar_spine", value="-2.8")
    assert run(hmsc100, facts).criterion("I4").outcome == "not_met"
    facts["history"] += [
        {"code": "fracture", "date": "2015-01-01", "details": {"site": "distal_radius"}},
        {"code": "fracture", "date": "2019-01-01", "details": {"site": "hip"}},
    ]
    assert run(hmsc100, facts).criterion("I4").outcome == "met"


@pytest.mark.parametrize(
    ("tsh", "t4", "outcome"),
    [
        ("0.30", "14.0", "not_met"),  # below the normal range
        ("3.00", "30.0", "met"),  # normal TSH: T4 does not matter
        ("5.50", "30.0", "met"),  # 5.5 is not above 5.5
        ("7.00", "14.0", "met"),  # elevated TSH, T4 normal
        ("7.00", "25.0", "not_met"),  # elevated TSH, T4 outside its range
        ("10.00", "25.0", "not_met"),
        ("10.01", "14.0", "not_met"),  # above 10
    ],
)
def test_tsh_bands(
    hmsc100: ProtocolDefinition, hmsc_facts: Facts, tsh: str, t4: str, outcome: str
) -> None:
    facts = set_reading(
        hmsc_facts, "tsh", value=tsh, unit="mIU/L", reference_range={"lln": "0.45", "uln": "4.5"}
    )
    facts = set_reading(facts, "free_t4", value=t4)
    assert run(hmsc100, facts).criterion("E13").outcome == outcome


def test_t4_is_not_needed_when_tsh_is_normal(
    hmsc100: ProtocolDefinition, hmsc_facts: Facts
) -> None:
    assert run(hmsc100, drop_reading(hmsc_facts, "free_t4")).status == "eligible"


@pytest.mark.parametrize(("alt", "outcome"), [("79", "met"), ("80", "not_met")])
def test_alt_at_exactly_twice_uln_excludes(
    hmsc100: ProtocolDefinition, hmsc_facts: Facts, alt: str, outcome: str
) -> None:
    result = run(hmsc100, set_reading(hmsc_facts, "alt", value=alt)).criterion("E14")
    assert result.outcome == outcome


def test_low_egfr_excludes_and_says_why(hmsc100: ProtocolDefinition, hmsc_facts: Facts) -> None:
    facts = set_reading(hmsc_facts, "creatinine", value="1.05", unit="mg/dL", reference_range=None)
    result = run(hmsc100, facts).criterion("E14")
    assert result.outcome == "not_met"
    assert "eGFR (CKD-EPI 2021) 57 mL/min/1.73 m² (from 1.05 mg/dL, 70 years) is below 60" in (
        result.summary
    )


def test_a_stale_lab_makes_the_candidate_incomplete(
    hmsc100: ProtocolDefinition, hmsc_facts: Facts
) -> None:
    result = run(hmsc100, set_reading(hmsc_facts, "alt", date="2026-08-01"))
    assert result.status == "incomplete"
    assert [m.code for m in result.missing] == ["alt"]
    assert "older than the 30-day validity window" in result.missing[0].reason


def test_missing_data_is_incomplete_and_lists_what_is_missing(
    hmsc100: ProtocolDefinition, hmsc_facts: Facts
) -> None:
    del hmsc_facts["medications"]
    drop_reading(hmsc_facts, "weight")
    result = run(hmsc100, hmsc_facts)
    assert result.status == "incomplete"
    codes = {m.code for m in result.missing}
    assert {"medications", "weight"} <= codes
    assert result.criterion("I3").outcome == "unknown"


def test_an_unanswered_judgment_needs_review(
    hmsc100: ProtocolDefinition, hmsc_facts: Facts
) -> None:
    del hmsc_facts["judgments"]["other_unsuitable"]
    result = run(hmsc100, hmsc_facts)
    assert result.status == "needs_review"
    assert result.criterion("E17").outcome == "needs_review"
    assert [m.code for m in result.pending_judgments] == ["other_unsuitable"]


def test_an_excluding_judgment_makes_the_candidate_ineligible_for_good(
    hmsc100: ProtocolDefinition, hmsc_facts: Facts
) -> None:
    hmsc_facts["judgments"]["other_unsuitable"] = "yes"
    result = run(hmsc100, hmsc_facts)
    assert result.status == "ineligible"
    assert result.eligible_from is None
    assert result.criterion("E17").summary.startswith("Excluded: Investigator judgment")


def exposure(drug: str, start: str, stop: str | None, **more: Any) -> dict[str, Any]:
    item: dict[str, Any] = {"drug": drug, "start": start, **more}
    if stop is not None:
        item["stop"] = stop
    return item


@pytest.mark.parametrize(
    ("drugs", "criterion", "eligible_from"),
    [
        ([exposure("teriparatide", "2025-01-01", "2026-07-31")], "E8a", date(2027, 2, 1)),
        ([exposure("denosumab", "2023-03-15", "2026-03-15")], "E8b", date(2027, 3, 16)),
        ([exposure("alendronic_acid", "2025-01-01", "2026-08-31")], "E8c", date(2027, 3, 1)),
        ([exposure("zoledronic_acid", "2025-06-01", "2025-06-01")], "E8c", date(2027, 6, 2)),
        (
            [exposure("ibandronic_acid", "2025-06-01", "2025-06-01", route="intravenous")],
            "E8c",
            date(2027, 6, 2),
        ),
    ],
    ids=[
        "PTH 6 months",
        "RANKL 1 year",
        "oral bisphosphonate last dose",
        "IV zoledronate",
        "IV ibandronate",
    ],
)
def test_washouts_know_their_end(
    hmsc100: ProtocolDefinition,
    hmsc_facts: Facts,
    drugs: list[dict[str, Any]],
    criterion: str,
    eligible_from: date,
) -> None:
    hmsc_facts["medications"] = drugs
    result = run(hmsc100, hmsc_facts)
    assert result.status == "ineligible"
    assert [c.id for c in result.criteria if c.blocks] == [criterion]
    assert result.criterion(criterion).eligible_from == eligible_from
    assert result.eligible_from == eligible_from
    later = run(hmsc100, {**hmsc_facts, "labs": hmsc_facts["labs"]}, on=eligible_from)
    assert later.criterion(criterion).outcome == "met"


def test_the_denosumab_washout_reads_like_a_sentence(
    hmsc100: ProtocolDefinition, hmsc_facts: Facts
) -> None:
    hmsc_facts["medications"] = [exposure("denosumab", "2023-03-15", "2026-03-15")]
    assert run(hmsc100, hmsc_facts).criterion("E8b").summary == (
        "Excluded: Last denosumab (RANKL inhibitor) dose 2026-03-15 is within 12 months before "
        "screening (2026-11-20); eligible from 2027-03-16"
    )


def test_three_years_of_oral_bisphosphonate_never_washes_out(
    hmsc100: ProtocolDefinition, hmsc_facts: Facts
) -> None:
    hmsc_facts["medications"] = [exposure("risedronic_acid", "2019-01-01", "2022-06-30")]
    result = run(hmsc100, hmsc_facts)
    assert result.criterion("E8c").outcome == "not_met"
    assert result.criterion("E8c").eligible_from is None
    assert result.eligible_from is None


def test_a_short_oral_course_stopped_recently_does_not_exclude(
    hmsc100: ProtocolDefinition, hmsc_facts: Facts
) -> None:
    hmsc_facts["medications"] = [exposure("alendronic_acid", "2026-09-01", "2026-10-15")]
    assert run(hmsc100, hmsc_facts).criterion("E8c").outcome == "met"  # not > 3 months


def test_ongoing_treatment_has_no_washout_end(
    hmsc100: ProtocolDefinition, hmsc_facts: Facts
) -> None:
    hmsc_facts["medications"] = [exposure("denosumab", "2024-01-01", None, ongoing=True)]
    result = run(hmsc100, hmsc_facts)
    assert result.criterion("E8b").outcome == "not_met"
    assert result.eligible_from is None


def test_overall_eligible_from_is_the_last_washout_to_end(
    hmsc100: ProtocolDefinition, hmsc_facts: Facts
) -> None:
    hmsc_facts["medications"] = [
        exposure("denosumab", "2023-03-15", "2026-03-15"),
        exposure("teriparatide", "2025-01-01", "2026-10-31"),
    ]
    result = run(hmsc100, hmsc_facts)
    assert result.criterion("E8a").eligible_from == date(2027, 5, 1)
    assert result.criterion("E8b").eligible_from == date(2027, 3, 16)
    assert result.eligible_from == date(2027, 5, 1)


def test_no_overall_date_when_another_criterion_fails_for_good(
    hmsc100: ProtocolDefinition, hmsc_facts: Facts
) -> None:
    hmsc_facts["medications"] = [exposure("denosumab", "2023-03-15", "2026-03-15")]
    set_reading(hmsc_facts, "weight", value="38.0")
    result = run(hmsc100, hmsc_facts)
    assert result.criterion("E8b").eligible_from == date(2027, 3, 16)
    assert result.eligible_from is None


def test_hbv_dna_in_copies_converts_with_the_protocol_factor(
    hmsc100: ProtocolDefinition, hmsc_facts: Facts
) -> None:
    facts = set_reading(hmsc_facts, "hbv_dna", value="1000", unit="copies/mL", reference_range=None)
    result = run(hmsc100, facts).criterion("E10")
    assert result.outcome == "not_met"
    assert "HBV DNA 172 IU/mL (entered as 1000 copies/mL)" in result.reasons[0]
