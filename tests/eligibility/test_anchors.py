"""Windows measured from an anchor: screening, a reference date, or an event's first date.

Each form parses, prints back, explains in plain words and evaluates in three values: an
event without a date, or an anchor the facts do not give, is unknown (never false) and the
missing fact is named in the result.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eligibility import ProtocolDefinition, RuleError, explain, load_definition
from eligibility.anchors import bounds, contains
from eligibility.catalogue import Catalogue
from eligibility.parser import parse_rule
from eligibility.render import render
from eligibility.rules import (
    SCREENING_ANCHOR,
    Anchor,
    EventSelector,
    HistoryOf,
    Window,
)

from .helpers import ANCHOR_ENTRIES, ANCHORED, SCREENING, run

Small = Callable[..., ProtocolDefinition]

EXTRA = """reference_dates:
  - {code: randomisation, text: Planned randomisation date}
  - {code: first_dose, text: Planned first dose}
event_types:
  - {code: type_2_diabetes, label: Type 2 diabetes}
  - {code: hepatitis_b, label: Hepatitis B}
"""


@pytest.fixture(scope="module")
def cat(anchored_catalogue: Catalogue) -> Catalogue:
    return anchored_catalogue


def check(
    small: Small, rule: str, facts: dict[str, Any], kind: str = "inclusion"
) -> tuple[str, str, list[tuple[str, str]]]:
    """The rule's value, its reasons and the missing facts (code, kind)."""
    result = run(small(rule, kind=kind, extra=EXTRA), facts)
    c = result.criteria[0]
    return c.condition, " | ".join(c.reasons), [(m.code, m.kind) for m in c.missing]


def event(code: str, on: str | None, **details: str) -> dict[str, Any]:
    out: dict[str, Any] = {"code": code, "details": details}
    if on is not None:
        out["date"] = on
    return out


# -- grammar ---------------------------------------------------------------------------


@pytest.mark.parametrize("text", ANCHORED)
def test_every_anchored_form_parses_and_prints_back(cat: Catalogue, text: str) -> None:
    # The same shapes as ANCHOR_ENTRIES declares, written as a definition would.
    assert EXTRA.count("code:") == sum(len(v) for v in ANCHOR_ENTRIES.values())
    tree = parse_rule(text, cat)
    assert render(tree) == text
    assert parse_rule(render(tree), cat) == tree


def test_the_anchors_are_bound_to_what_they_name(cat: Catalogue) -> None:
    def window(text: str) -> Window:
        tree = parse_rule(text, cat)
        assert isinstance(tree, HistoryOf)
        assert tree.events.window is not None
        return tree.events.window

    assert window("history of fracture within 2 years before screening") == Window(2, "years")
    assert window("history of fracture in the 2 years before randomisation") == Window(
        2, "years", "before", Anchor("reference_date", "randomisation")
    )
    assert window("history of fracture after final_menstrual_period") == Window(
        0, "days", "after", Anchor("event", "final_menstrual_period"), "more_than"
    )
    assert window("history of fracture on or before screening") == Window(
        0, "days", "before", SCREENING_ANCHOR, "at_least"
    )
    assert window("history of fracture AT LEAST 3 months BEFORE first_dose") == Window(
        3, "months", "before", Anchor("reference_date", "first_dose"), "at_least"
    )


@pytest.mark.parametrize(
    ("rule", "column", "reason"),
    [
        ("history of fracture after screening", 21, "a window after screening holds no"),
        ("history of fracture within 1 year after screening", 21, "measure it from a reference"),
        (
            "history of fracture before randomization",
            28,
            "expected what the window is measured from (screening, first_dose, randomisation "
            "or an event type), found 'randomization'",
        ),
        ("history of fracture more than 5 years", 38, "expected 'before' or 'after'"),
        ("history of fracture more than 0 years before screening", 31, "at least 1"),
        ("history of fracture on or final_menstrual_period", 21, "expected 'and', 'or'"),
        (
            "last dose of prednisolone more than 4 weeks before screening",
            27,
            "'last dose of' takes a window 'within N units before'",
        ),
        (
            "last dose of prednisolone within 4 weeks after first_dose",
            27,
            "'last dose of' takes a window 'within N units before'",
        ),
        (
            "cumulative use of metformin after randomisation > 1 month",
            29,
            "'cumulative use of' takes a window 'within N units before'",
        ),
    ],
)
def test_refused_windows_name_line_column_and_reason(
    cat: Catalogue, rule: str, column: int, reason: str
) -> None:
    with pytest.raises(RuleError) as caught:
        parse_rule(rule, cat)
    assert reason in caught.value.message
    assert (caught.value.line, caught.value.column) == (1, column)


def test_a_window_error_on_a_later_line_names_that_line(cat: Catalogue) -> None:
    with pytest.raises(RuleError) as caught:
        parse_rule("sex is female and\n  history of fracture after screening", cat)
    assert (caught.value.line, caught.value.column) == (2, 23)


# -- an event compared with another event -----------------------------------------------

AFTER_FMP = "history of fracture where fragility is yes after final_menstrual_period"
FMP = event("final_menstrual_period", "2006-05-01")


def test_a_fracture_after_the_final_menstrual_period(small: Small) -> None:
    facts = {"history": [FMP, event("fracture", "2010-03-04", fragility="yes")]}
    value, reasons, _ = check(small, AFTER_FMP, facts)
    assert value == "true"
    assert (
        "Fracture on 2010-03-04 (fragility: yes): fracture (fragility: yes) after the final "
        "menstrual period (2006-05-01)" in reasons
    )


def test_a_fracture_before_the_final_menstrual_period_is_not_after_it(small: Small) -> None:
    before = {"history": [FMP, event("fracture", "2005-03-04", fragility="yes")]}
    assert check(small, AFTER_FMP, before)[0] == "false"
    same_day = {"history": [FMP, event("fracture", "2006-05-01", fragility="yes")]}
    assert check(small, AFTER_FMP, same_day)[0] == "false"
    on_or_after = AFTER_FMP.replace(" after ", " on or after ")
    assert check(small, on_or_after, same_day)[0] == "true"


def test_an_undated_fracture_is_unknown_not_false(small: Small) -> None:
    facts = {"history": [FMP, event("fracture", None, fragility="yes")]}
    value, reasons, missing = check(small, AFTER_FMP, facts)
    assert value == "unknown"
    assert missing == [("fracture", "history")]
    assert "cannot tell whether it is fracture" in reasons


@pytest.mark.parametrize(
    ("history", "reason"),
    [
        ([], None),
        ([event("fracture", "2010-03-04", fragility="yes")], "no final menstrual period recorded"),
        (
            [
                event("final_menstrual_period", None),
                event("fracture", "2010-03-04", fragility="yes"),
            ],
            "date of a final menstrual period not recorded",
        ),
    ],
)
def test_a_missing_anchor_event_makes_it_unknown_naming_the_anchor(
    small: Small, history: list[dict[str, Any]], reason: str | None
) -> None:
    value, reasons, missing = check(small, AFTER_FMP, {"history": history})
    if reason is None:  # recorded and none: no fracture at all, whatever the anchor
        assert value == "false"
        return
    assert value == "unknown"
    assert ("final_menstrual_period", "history") in missing
    assert reason in reasons


def test_an_anchor_event_is_its_first_recorded_occurrence(small: Small) -> None:
    rule = "history of fracture within 1 year after type_2_diabetes"
    diabetes = [event("type_2_diabetes", "2016-01-01"), event("type_2_diabetes", "2015-03-01")]
    inside = {"history": [*diabetes, event("fracture", "2016-03-01")]}
    value, reasons, _ = check(small, rule, inside)
    assert value == "true"
    assert "within 1 year after the type 2 diabetes (2015-03-01) (2015-03-01 to 2016-03-01)" in (
        reasons
    )
    outside = {"history": [*diabetes, event("fracture", "2016-03-02")]}
    assert check(small, rule, outside)[0] == "false"


def test_another_dated_occurrence_can_decide_while_one_is_undated(small: Small) -> None:
    facts = {
        "history": [
            FMP,
            event("fracture", None, fragility="yes"),
            event("fracture", "2012-01-01", fragility="yes"),
        ]
    }
    assert check(small, AFTER_FMP, facts)[0] == "true"


# -- courses of disease: more than N before screening -----------------------------------

COURSE = "history of type_2_diabetes more than 5 years before screening"


@pytest.mark.parametrize(
    ("diagnosed", "more_than", "at_least"),
    [
        ("2020-01-01", "true", "true"),
        ("2021-11-19", "true", "true"),
        ("2021-11-20", "false", "true"),  # exactly five years before 2026-11-20
        ("2021-11-21", "false", "false"),
        ("2024-06-01", "false", "false"),
    ],
)
def test_a_course_of_more_than_five_years_is_exact_at_the_boundary(
    small: Small, diagnosed: str, more_than: str, at_least: str
) -> None:
    facts = {"history": [event("type_2_diabetes", diagnosed)]}
    assert check(small, COURSE, facts)[0] == more_than
    assert check(small, COURSE.replace("more than", "at least"), facts)[0] == at_least


def test_a_course_with_an_unknown_start_is_unknown_not_false(small: Small) -> None:
    value, reasons, missing = check(small, COURSE, {"history": [event("type_2_diabetes", None)]})
    assert value == "unknown"
    assert missing == [("type_2_diabetes", "history")]
    assert "Type 2 diabetes on an unknown date" in reasons


def test_a_course_too_short_today_says_when_it_will_be_long_enough(small: Small) -> None:
    facts = {"history": [event("type_2_diabetes", "2022-06-01")]}
    result = run(small(COURSE, extra=EXTRA), facts)
    assert result.criteria[0].outcome == "not_met"
    assert result.criteria[0].eligible_from == date(2027, 6, 2)
    at_least = run(small(COURSE.replace("more than", "at least"), extra=EXTRA), facts)
    assert at_least.criteria[0].eligible_from == date(2027, 6, 1)


# -- windows measured from a reference date ---------------------------------------------

SURGERY = "history of major_surgery within 28 days before first_dose"


def test_surgery_within_28_days_before_the_first_dose(small: Small) -> None:
    facts = {
        "reference_dates": {"first_dose": "2026-12-10"},
        "history": [event("major_surgery", "2026-11-15")],
    }
    value, reasons, _ = check(small, SURGERY, facts, kind="exclusion")
    assert value == "true"
    assert (
        "within 28 days before the planned first dose (2026-12-10) (2026-11-12 to 2026-12-10)"
        in (reasons)
    )
    facts["history"] = [event("major_surgery", "2026-11-11")]
    assert check(small, SURGERY, facts, kind="exclusion")[0] == "false"


def test_a_reference_date_not_given_is_unknown_and_listed_as_missing(small: Small) -> None:
    facts = {"history": [event("major_surgery", "2026-11-15")]}
    result = run(small(SURGERY, kind="exclusion", extra=EXTRA), facts)
    c = result.criteria[0]
    assert c.condition == "unknown"
    assert [(m.code, m.kind, m.label) for m in c.missing] == [
        ("first_dose", "reference_date", "Planned first dose")
    ]
    assert c.reasons[0] == "Planned first dose: date not recorded"
    assert c.reasons[1] == (
        "Major surgery on 2026-11-15: cannot tell whether it is major surgery within 28 days "
        "before the planned first dose (not recorded)"
    )
    assert c.summary == "Unknown: missing Planned first dose (date not recorded)"
    # No surgery at all: nothing can fall in the window, whenever it is.
    assert check(small, SURGERY, {"history": []}, kind="exclusion")[0] == "false"


def test_a_window_on_a_reference_date_has_no_washout_date(small: Small) -> None:
    facts = {
        "reference_dates": {"first_dose": "2026-12-10"},
        "history": [event("major_surgery", "2026-11-15")],
    }
    result = run(small(SURGERY, kind="exclusion", extra=EXTRA), facts)
    assert result.criteria[0].outcome == "not_met"
    assert result.criteria[0].eligible_from is None


GC = "last dose of systemic_glucocorticoid within 4 weeks before randomisation"


@pytest.mark.parametrize(
    ("randomisation", "course", "expected"),
    [
        ("2026-12-14", {"start": "2026-01-01", "stop": "2026-11-18"}, "true"),
        ("2026-12-14", {"start": "2026-01-01", "stop": "2026-11-10"}, "false"),
        ("2026-12-14", {"start": "2026-01-01", "ongoing": True}, "true"),
        # Randomisation far ahead: an ongoing course may or may not go on into the window.
        ("2027-01-30", {"start": "2026-01-01", "ongoing": True}, "unknown"),
        ("2027-01-30", {"start": "2026-01-01", "stop": "2026-11-10"}, "false"),
        # A window that ends before the course began.
        ("2025-06-01", {"start": "2026-01-01", "stop": "2026-11-10"}, "false"),
    ],
)
def test_last_dose_before_randomisation(
    small: Small, randomisation: str, course: dict[str, Any], expected: str
) -> None:
    facts = {
        "reference_dates": {"randomisation": randomisation},
        "medications": [{"drug": "prednisolone", **course}],
    }
    assert check(small, GC, facts, kind="exclusion")[0] == expected


def test_last_dose_without_the_randomisation_date_is_unknown(small: Small) -> None:
    facts = {"medications": [{"drug": "prednisolone", "start": "2026-01-01", "stop": "2026-11-18"}]}
    value, _, missing = check(small, GC, facts, kind="exclusion")
    assert (value, missing) == ("unknown", [("randomisation", "reference_date")])
    assert check(small, GC, {"medications": []}, kind="exclusion")[0] == "false"


def test_last_dose_before_an_event(small: Small) -> None:
    rule = "last dose of prednisolone within 1 year before fracture"
    course = {"drug": "prednisolone", "start": "2019-01-01", "stop": "2019-06-01"}
    facts = {"history": [event("fracture", "2020-03-01")], "medications": [course]}
    assert check(small, rule, facts)[0] == "true"
    facts["history"] = [event("fracture", "2021-03-01")]
    assert check(small, rule, facts)[0] == "false"
    facts["history"] = [event("fracture", "2018-03-01")]  # treatment began after it
    assert check(small, rule, facts)[0] == "false"


CUMULATIVE = "cumulative use of metformin within 3 months before randomisation >= 1 month"


@pytest.mark.parametrize(
    ("course", "expected"),
    [
        ({"start": "2026-10-01", "stop": "2026-11-15"}, "true"),  # 46 days
        ({"start": "2026-10-01", "stop": "2026-10-10"}, "false"),  # 10 days
        ({"start": "2026-05-01", "stop": "2026-09-20"}, "false"),  # 7 days in the window
        ({"start": "2026-11-01", "ongoing": True}, "unknown"),  # 20 to 44 days
    ],
)
def test_cumulative_use_before_randomisation(
    small: Small, course: dict[str, Any], expected: str
) -> None:
    facts = {
        "reference_dates": {"randomisation": "2026-12-14"},
        "medications": [{"drug": "metformin", **course}],
    }
    assert check(small, CUMULATIVE, facts)[0] == expected


def test_cumulative_use_without_its_anchor_is_unknown(small: Small) -> None:
    facts = {"medications": [{"drug": "metformin", "start": "2026-10-01", "stop": "2026-11-15"}]}
    value, reasons, missing = check(small, CUMULATIVE, facts)
    assert (value, missing) == ("unknown", [("randomisation", "reference_date")])
    assert "cannot be counted" in reasons
    assert check(small, CUMULATIVE, {"medications": []})[0] == "false"


def test_counts_of_events_after_an_anchor(small: Small) -> None:
    rule = "count of fracture after final_menstrual_period >= 2"
    two = [event("fracture", "2010-01-01"), event("fracture", "2012-01-01")]
    assert check(small, rule, {"history": [FMP, *two]})[0] == "true"
    assert check(small, rule, {"history": [FMP, two[0], event("fracture", "2001-01-01")]})[0] == (
        "false"
    )
    value, _, missing = check(small, rule, {"history": two})
    assert value == "unknown"
    assert ("final_menstrual_period", "history") in missing


# -- plain words --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "words"),
    [
        (
            AFTER_FMP,
            "there is a history of fracture with fragility yes after the final menstrual period",
        ),
        (COURSE, "there is a history of type 2 diabetes more than 5 years before screening"),
        (
            "history of fracture on or before randomisation",
            "fracture on or before the planned randomisation date",
        ),
        (
            "history of fracture at least 2 years after final_menstrual_period",
            "fracture at least 2 years after the final menstrual period",
        ),
        (
            GC,
            "a dose of systemic glucocorticoid was taken within 4 weeks before the planned "
            "randomisation date (ongoing use counts)",
        ),
        (
            CUMULATIVE,
            "cumulative use of metformin in the 3 months before the planned randomisation date "
            "is at least 1 month",
        ),
        ("history of hepatitis_b within 1 year before first_dose", "hepatitis B within 1 year"),
    ],
)
def test_anchored_windows_explain_in_plain_words(small: Small, rule: str, words: str) -> None:
    plain = explain(small(rule, extra=EXTRA))[0].plain
    assert words in plain, plain


def test_event_names_keep_their_capitals_in_reasons(small: Small) -> None:
    facts = {"history": [event("hepatitis_b", "2020-01-01")]}
    _, reasons, _ = check(small, "history of hepatitis_b within 1 year before screening", facts)
    assert "No hepatitis B within 1 year" in reasons
    _, count_reasons, _ = check(small, "count of hepatitis_b >= 1", facts)
    assert count_reasons.startswith("Hepatitis B: 1 event")


def test_an_anchor_is_asked_for_on_the_form(small: Small) -> None:
    rule = f"{SURGERY} or {AFTER_FMP}"
    kinds = {i.code: i.kind for i in small(rule, extra=EXTRA).requirements().inputs()}
    assert kinds["first_dose"] == "reference_date"
    assert kinds["final_menstrual_period"] == "event"
    assert kinds["major_surgery"] == "event"


# -- properties ----------------------------------------------------------------------------

ANCHORS = st.sampled_from(
    [
        SCREENING_ANCHOR,
        Anchor("reference_date", "randomisation"),
        Anchor("reference_date", "first_dose"),
        Anchor("event", "final_menstrual_period"),
        Anchor("event", "type_2_diabetes"),
    ]
)
UNITS = st.sampled_from(["days", "weeks", "months", "years"])


@st.composite
def windows(draw: st.DrawFn) -> Window:
    anchor = draw(ANCHORS)
    side = "before" if anchor == SCREENING_ANCHOR else draw(st.sampled_from(["before", "after"]))
    kind = draw(st.sampled_from(["within", "more_than", "at_least"]))
    if kind != "within" and draw(st.booleans()):
        return Window(0, "days", side, anchor, kind)  # before / after / on or …
    return Window(draw(st.integers(1, 60)), draw(UNITS), side, anchor, kind)


@settings(max_examples=200, deadline=None)
@given(window=windows(), count=st.booleans())
def test_any_window_prints_back_to_the_same_tree(
    cat: Catalogue, window: Window, count: bool
) -> None:
    tree = HistoryOf(EventSelector("fracture", (), window))
    text = render(tree)
    assert parse_rule(text, cat) == tree
    if count:
        counted = parse_rule(f"count of fracture {text.split(' ', 3)[3]} >= 1", cat)
        assert parse_rule(render(counted), cat) == counted


DAYS = st.dates(min_value=date(1990, 1, 1), max_value=date(2030, 12, 31))


@settings(max_examples=300, deadline=None)
@given(d=DAYS, on=DAYS, amount=st.integers(1, 40), unit=UNITS)
def test_within_and_more_than_split_the_days_before_an_anchor(
    d: date, on: date, amount: int, unit: Any
) -> None:
    within = Window(amount, unit)
    more = Window(amount, unit, kind="more_than")
    least = Window(amount, unit, kind="at_least")
    if d <= on:
        assert contains(within, on, d) != contains(more, on, d)
    low, _ = bounds(within, on)
    assert contains(least, on, d) == (contains(more, on, d) or d == low)
    assert contains(Window(0, "days", kind="more_than"), on, d) == (d < on)
    assert contains(Window(0, "days", kind="at_least"), on, d) == (d <= on)
    after = Window(amount, unit, "after")
    assert contains(Window(0, "days", "after", kind="more_than"), on, d) == (d > on)
    if d >= on:
        assert contains(after, on, d) != contains(
            Window(amount, unit, "after", kind="more_than"), on, d
        )


@pytest.fixture(scope="module")
def combined() -> ProtocolDefinition:
    text = f"""format: eligo-protocol/1
trial: {{code: T1, title: Test trial}}
protocol_version: "1"
{EXTRA}
criteria:
  - id: I1
    kind: inclusion
    text: Anchored windows.
    rule: "{AFTER_FMP} or {SURGERY} or {COURSE}"
"""
    return load_definition(text, source="test.yaml")


@settings(max_examples=60, deadline=None)
@given(
    fracture=st.one_of(st.none(), DAYS.filter(lambda d: d <= SCREENING)),
    fmp=st.one_of(st.none(), DAYS.filter(lambda d: d <= SCREENING)),
    surgery=st.one_of(st.none(), DAYS.filter(lambda d: d <= SCREENING)),
    first_dose=st.one_of(st.none(), DAYS),
)
def test_forgetting_a_date_never_flips_a_known_value(
    combined: ProtocolDefinition,
    fracture: date | None,
    fmp: date | None,
    surgery: date | None,
    first_dose: date | None,
) -> None:
    """Unknown is never false: a value known without a date is the value with it."""
    definition = combined

    def facts(**dates: date | None) -> dict[str, Any]:
        out: dict[str, Any] = {
            "history": [
                event("fracture", _iso(dates["fracture"]), fragility="yes"),
                event("final_menstrual_period", _iso(dates["fmp"])),
                event("major_surgery", _iso(dates["surgery"])),
                event("type_2_diabetes", _iso(dates["surgery"])),
            ]
        }
        if dates["first_dose"] is not None:
            out["reference_dates"] = {"first_dose": _iso(dates["first_dose"])}
        return out

    full = {"fracture": fracture, "fmp": fmp, "surgery": surgery, "first_dose": first_dose}
    known = run(definition, facts(**full)).criteria[0].condition
    for name in full:
        partial = run(definition, facts(**{**full, name: None})).criteria[0].condition
        if partial != "unknown":
            assert partial == known, name


def _iso(d: date | None) -> str | None:
    return None if d is None else d.isoformat()


def test_bounds_of_each_window_shape() -> None:
    on = date(2026, 3, 31)
    assert bounds(Window(1, "months"), on) == (date(2026, 2, 28), on)
    assert bounds(Window(1, "months", "after"), on) == (on, date(2026, 4, 30))
    assert bounds(Window(2, "weeks", kind="more_than"), on) == (None, on - timedelta(days=15))
    assert bounds(Window(2, "weeks", kind="at_least"), on) == (None, on - timedelta(days=14))
    assert bounds(Window(1, "years", "after", kind="more_than"), on) == (date(2027, 4, 1), None)
    assert bounds(Window(0, "days", "after", kind="at_least"), on) == (on, None)
