"""docs/protocol-coverage.md agrees with the definitions in protocols/.

Each criterion is classed from its parsed rule, through the inputs the rule needs:

- **judgment** when the rule asks only investigator judgments (the candidate's sex may
  decide whether the question applies);
- **answered** when it asks only questions (answers, perhaps with judgments or sex);
- **computed** when it reads anything Eligo evaluates itself: a measurement, laboratory
  result, derived quantity, medication, history event, date or score item.

The document must list every criterion of every definition with that class, give a
reason for every judgment, and total them correctly.
"""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal
from functools import cache

import pytest

from eligibility import ProtocolDefinition, load_definition_file

from .helpers import PROTOCOLS, ROOT

DOC = ROOT / "docs" / "protocol-coverage.md"
QUESTIONS = {"answer", "judgment", "sex"}
KINDS = ("computed", "answered", "judgment")


def classify(definition: ProtocolDefinition) -> dict[str, str]:
    used: dict[str, set[str]] = {c.id: set() for c in definition.criteria}
    for spec in definition.requirements().inputs():
        for criterion_id in spec.used_by:
            used[criterion_id].add(spec.kind)
    found = {}
    for criterion_id, kinds in used.items():
        if "judgment" in kinds and kinds <= {"judgment", "sex"}:
            found[criterion_id] = "judgment"
        elif kinds <= QUESTIONS:
            found[criterion_id] = "answered"
        else:
            found[criterion_id] = "computed"
    return found


@cache
def definitions() -> dict[str, ProtocolDefinition]:
    loaded = (load_definition_file(path) for path in sorted(PROTOCOLS.glob("*.yaml")))
    return {d.trial_code: d for d in loaded}


def cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def doc_tables() -> dict[str, list[list[str]]]:
    """The rows of each ``## <trial code>`` section's table, and of ``## Totals``."""
    tables: dict[str, list[list[str]]] = {}
    section = None
    for line in DOC.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"^## (\S+)", line)
        if heading:
            section = heading.group(1)
            tables[section] = []
        elif section and line.startswith("|") and not re.match(r"^\|\s*-", line):
            tables[section].append(cells(line))
    return {name: rows[1:] for name, rows in tables.items()}  # without the header row


@pytest.fixture(scope="module")
def tables() -> dict[str, list[list[str]]]:
    return doc_tables()


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
            assert len(row[2]) > 20, f"{code} {row[0]}: give the reason it needs a judgment"


def test_the_totals_add_up_and_the_aim_is_met(tables: dict[str, list[list[str]]]) -> None:
    everything: Counter[str] = Counter()
    expected_rows = []
    for code, definition in sorted(definitions().items()):
        counts = Counter(classify(definition).values())
        everything.update(counts)
        expected_rows.append(
            [code, str(len(definition.criteria)), *(str(counts[k]) for k in KINDS)]
        )
    total = sum(everything.values())
    expected_rows.append(["all", str(total), *(str(everything[k]) for k in KINDS)])
    assert tables["Totals"] == expected_rows
    share = Decimal(100 * (everything["computed"] + everything["answered"])) / total
    text = DOC.read_text(encoding="utf-8")
    assert f"{share.quantize(Decimal(1))} %" in text
    assert share >= 80
