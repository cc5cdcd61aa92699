"""NCT01775735 (chronic migraine with posterior-dominant pain): the adjudicated examples,
the course of at least 6 months before screening, the pregnancy test and the score
limits. Screening is on 2026-11-20."""

from __future__ import annotations

import pytest

from eligibility import ProtocolDefinition

from .helpers import Adjudication, check, definition, example, run

EXPECTED = {
    # A woman of 42 with chronic migraine since 2024-03-01, a negative pregnancy test,
    # PHQ-9 8 and GAD-7 6.
    "eligible": Adjudication("eligible"),
    # A man of 78 whose chronic migraine began 2026-08-01 (under 6 months), PHQ-9 22 and
    # untreated, in a device trial on 2026-10-01.
    "ineligible": Adjudication(
        "ineligible",
        {"I1": "not_met", "I7": "not_met", "E3": "not_met", "E7": "not_met"},
        says={"E3": ("PHQ-9 depression score 22",), "E7": ("2026-10-01",)},
    ),
    # The onset is recorded without a date and no pregnancy test has been done.
    "incomplete": Adjudication(
        "incomplete",
        {"I1": "unknown", "I6": "unknown"},
        missing=("chronic_migraine", "pregnancy_test"),
    ),
}


@pytest.fixture(scope="module")
def proto() -> ProtocolDefinition:
    return definition("nct01775735")


@pytest.mark.parametrize("name", EXPECTED)
def test_each_adjudicated_example_gives_its_result(proto: ProtocolDefinition, name: str) -> None:
    check(proto, run(proto, example(f"nct01775735-{name}")), EXPECTED[name])


@pytest.mark.parametrize(("onset", "outcome"), [("2026-05-20", "met"), ("2026-05-21", "not_met")])
def test_the_chronic_migraine_began_at_least_6_months_before_screening(
    proto: ProtocolDefinition, onset: str, outcome: str
) -> None:
    facts = example("nct01775735-eligible")
    facts["history"][0]["date"] = onset
    assert run(proto, facts).criterion("I1").outcome == outcome


def test_a_positive_pregnancy_test_blocks_a_woman_of_childbearing_potential_only(
    proto: ProtocolDefinition,
) -> None:
    facts = example("nct01775735-eligible")
    facts["labs"][0]["result"] = "positive"
    assert run(proto, facts).criterion("I6").outcome == "not_met"
    facts["answers"]["childbearing_potential"] = "no"
    assert run(proto, facts).criterion("I6").outcome == "met"


@pytest.mark.parametrize(
    ("gad7", "treated", "outcome"),
    [("14", "no", "met"), ("15", "no", "not_met"), ("15", "yes", "met")],
)
def test_untreated_anxiety_from_a_gad7_of_15(
    proto: ProtocolDefinition, gad7: str, treated: str, outcome: str
) -> None:
    facts = example("nct01775735-eligible")
    facts["measurements"][1]["value"] = gad7
    facts["answers"]["anxiety_treated"] = treated
    assert run(proto, facts).criterion("E4").outcome == outcome
