"""docs/protocol-coverage.md agrees with the definitions in protocols/.

Each criterion is classed from its parsed rule, through the inputs the rule needs
(``coverage_doc.classify``): **judgment** when the rule asks only investigator judgments
(the candidate's sex may decide whether they apply), **answered** when it asks only
questions, **computed** when it reads anything Eligo evaluates itself (a measurement,
laboratory result, derived quantity, medication, history event, date or score item).

The document must list every criterion of every definition with that class, give a
reason for every judgment, and total them correctly; ``python -m
tests.protocols.coverage_doc`` rewrites its tables.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from .coverage_doc import (
    DOC,
    PLACEHOLDER,
    classify,
    definitions,
    doc_tables,
    totals,
    trial_section,
)


@pytest.fixture(scope="module")
def tables() -> dict[str, list[list[str]]]:
    return doc_tables(DOC.read_text(encoding="utf-8"))


@pytest.mark.parametrize("code", sorted(definitions()))
def test_each_criterion_is_listed_with_its_class(
    tables: dict[str, list[list[str]]], code: str
) -> None:
    definition = definitions()[code]
    rows = tables[code]
    assert [row[0] for row in rows] == [c.id for c in definition.criteria]
    assert {row[0]: row[1] for row in rows} == classify(definition)


@pytest.mark.parametrize("code", sorted(definitions()))
def test_every_judgment_gives_its_reason(tables: dict[str, list[list[str]]], code: str) -> None:
    for row in tables[code]:
        assert len(row) == 3, row
        assert row[2], row
        if row[1] == "judgment":
            assert PLACEHOLDER not in row[2], f"{code} {row[0]}: give the reason"
            assert len(row[2]) > 20, f"{code} {row[0]}: give the reason it needs a judgment"


def test_the_totals_add_up_and_the_aim_is_met(tables: dict[str, list[list[str]]]) -> None:
    rows, share, _ = totals()
    assert tables["Totals"] == rows
    assert f"{share.quantize(Decimal(1))} %" in DOC.read_text(encoding="utf-8")
    assert share >= 80


def test_a_classification_matches_what_a_reader_would_say() -> None:
    # hMSC100: E15 asks only a judgment, E11 only an answer, E10 reads laboratory
    # results, and E14 mixes results with a judgment (computed: a result can decide it).
    hmsc = classify(definitions()["HMSC100"])
    assert (hmsc["E15"], hmsc["E11"], hmsc["E10"], hmsc["E14"]) == (
        "judgment",
        "answered",
        "computed",
        "computed",
    )
    # A pregnancy question gated by sex is still only answered.
    assert classify(definitions()["NCT04207203"])["E5"] == "answered"


def test_a_judgment_without_a_reason_is_marked_when_the_tables_are_rewritten() -> None:
    lines = trial_section(definitions()["HMSC100"], reasons={"E17": "An open clause: …"})
    assert f"| E15 | judgment | {PLACEHOLDER} |" in lines
    assert "| E17 | judgment | An open clause: … |" in lines
