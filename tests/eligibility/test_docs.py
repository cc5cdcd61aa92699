"""The documented examples load: the definition example, and each facts example."""

from __future__ import annotations

import json
import re
from pathlib import Path

from eligibility import load_definition, load_facts
from eligibility.catalogue import SECTION_LABELS, SECTIONS

from .helpers import ROOT

DOCS = ROOT / "docs"


def blocks(name: str, language: str) -> list[str]:
    text = (DOCS / name).read_text(encoding="utf-8")
    return re.findall(rf"```{language}\n(.*?)```", text, flags=re.DOTALL)


def test_the_complete_definition_example_loads() -> None:
    example = blocks("definition-format.md", "yaml")[-1]
    definition = load_definition(example, source="definition-format.md")
    assert [c.id for c in definition.criteria] == ["I1", "I2", "I3", "E1", "E2", "E3", "E4"]


def test_the_facts_examples_load() -> None:
    examples = blocks("facts-format.md", "json")
    assert len(examples) == 2
    for example in examples:
        load_facts(json.loads(example))


def test_the_rule_language_table_examples_parse() -> None:
    from eligibility import default_catalogue
    from eligibility.parser import parse_rule

    from .helpers import ANCHOR_ENTRIES

    # The anchored examples name a protocol's reference dates and event types.
    catalogue = default_catalogue().extended(ANCHOR_ENTRIES)
    text = (DOCS / "rule-language.md").read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if line.startswith("| ") and "`" in line]
    rules = [r for row in rows for r in re.findall(r"`([^`]+)`", row.split("|")[2])]
    skipped = {
        "bmi",
        "any of (a, b, c)",
        "all of (a, b)",
        "none of (a, b)",
        "at least 2 of (a, b, c)",
        "other_unsuitable is yes",
        "judgment",
    }
    checked = [r for r in rules if r not in skipped]
    assert len(checked) > 30
    for rule in checked:
        parse_rule(rule, catalogue)


def test_every_page_the_docs_cite_is_in_the_repository() -> None:
    """``calculators.md`` cites ``clinical-reference.md`` for its sources: a cited page
    that is missing leaves a formula without its source."""
    root = DOCS.parent
    cited = {
        (page.name, name)
        for page in [*DOCS.glob("*.md"), root / "README.md"]
        if page.exists()
        for name in re.findall(r"[A-Za-z0-9_./-]+\.md\b", page.read_text(encoding="utf-8"))
    }
    missing = [
        (page, name)
        for page, name in sorted(cited)
        if not any(p.exists() for p in (DOCS / name, root / name, DOCS / Path(name).name))
    ]
    assert missing == []
    assert "clinical-reference.md" in {name for _, name in cited}


def test_every_form_section_is_documented_with_its_heading() -> None:
    text = (DOCS / "definition-format.md").read_text(encoding="utf-8")
    table = text.split("### Sections", 1)[1].split("\n\n")[2]
    documented = dict(re.findall(r"^\| `([a-z_]+)` \| ([^|]+?) \|", table, flags=re.M))
    assert documented == dict(SECTION_LABELS)
    assert list(documented) == list(SECTIONS)
