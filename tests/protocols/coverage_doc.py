"""Classes every criterion of protocols/ as computed, answered or judgment, and rewrites
the generated tables of docs/protocol-coverage.md.

Run ``python -m tests.protocols.coverage_doc`` after changing a definition: the totals
and each trial's table are rebuilt from the parsed definitions; the hand-written text
(the introduction and "The trials") and every judgment's reason are kept. A judgment
new to the document gets a placeholder that ``test_coverage_doc`` refuses until it is
replaced by the reason.
"""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal
from functools import cache

from eligibility import InputSpec, ProtocolDefinition, load_definition_file

from .helpers import PROTOCOLS, ROOT

DOC = ROOT / "docs" / "protocol-coverage.md"
KINDS = ("computed", "answered", "judgment")
QUESTIONS = {"answer", "judgment", "sex"}
PLACEHOLDER = "REASON NEEDED"


def classify(definition: ProtocolDefinition) -> dict[str, str]:
    """Each criterion's class, from the inputs its rule needs: judgment when it asks only
    investigator judgments (sex may decide whether they apply), answered when it asks
    only questions, computed when it reads anything Eligo evaluates itself."""
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


def doc_tables(text: str) -> dict[str, list[list[str]]]:
    """The rows of each ``## <name>`` section's table, without the header row."""
    tables: dict[str, list[list[str]]] = {}
    section = None
    for line in text.splitlines():
        heading = re.match(r"^## (\S+)", line)
        if heading:
            section = heading.group(1)
            tables[section] = []
        elif section and line.startswith("|") and not re.match(r"^\|\s*-", line):
            tables[section].append(cells(line))
    return {name: rows[1:] for name, rows in tables.items()}


def totals() -> tuple[list[list[str]], Decimal, Counter[str]]:
    everything: Counter[str] = Counter()
    rows = []
    for code, definition in sorted(definitions().items()):
        counts = Counter(classify(definition).values())
        everything.update(counts)
        rows.append([code, str(len(definition.criteria)), *(str(counts[k]) for k in KINDS)])
    total = sum(everything.values())
    rows.append(["all", str(total), *(str(everything[k]) for k in KINDS)])
    share = Decimal(100 * (everything["computed"] + everything["answered"])) / total
    return rows, share, everything


def _describe(specs: list[InputSpec]) -> str:
    computed = [s.label for s in specs if s.kind not in (*QUESTIONS, "date")]
    dates = [
        s.label for s in specs if s.kind == "date" and (s.code != "date_of_birth" or not computed)
    ]
    asked = [f"`{s.code}`" for s in specs if s.kind == "answer"]
    judged = [f"`{s.code}`" for s in specs if s.kind == "judgment"]
    parts = []
    if computed or dates:
        parts.append("computed from " + ", ".join(dict.fromkeys(computed + dates)))
    if asked:
        parts.append("asks " + ", ".join(asked))
    if judged:
        parts.append("and the investigator's judgment " + ", ".join(judged))
    return "; ".join(parts)


def _row(line: list[str]) -> str:
    return "| " + " | ".join(line) + " |"


def trial_section(definition: ProtocolDefinition, reasons: dict[str, str]) -> list[str]:
    classes = classify(definition)
    counts = Counter(classes.values())
    inputs = definition.requirements().inputs()
    source = f"`protocols/{definition.source.rsplit('/', 1)[-1]}`"
    if definition.registry_id:
        source += f", registry {definition.registry_id}"
    lines = [
        f"## {definition.trial_code} — {definition.title}",
        "",
        f"{source}: {len(definition.criteria)} criteria, "
        + ", ".join(f"{counts[k]} {k}" for k in KINDS)
        + ".",
        "",
        "| criterion | class | what Eligo does |",
        "|---|---|---|",
    ]
    for criterion in definition.criteria:
        kind = classes[criterion.id]
        if kind == "judgment":
            what = reasons.get(criterion.id, PLACEHOLDER)
        else:
            what = _describe([s for s in inputs if criterion.id in s.used_by])
        lines.append(_row([criterion.id, kind, what]))
    return [*lines, ""]


def write() -> None:
    text = DOC.read_text(encoding="utf-8")
    head = text[: text.index("## Totals")]
    trials_start = text.index("## The trials")
    trials_end = text.index("\n## ", trials_start + 1) + 1
    old = doc_tables(text)
    rows, share, everything = totals()
    n = sum(everything.values())
    out = [head.rstrip("\n"), "", "## Totals", ""]
    out += ["| trial | criteria | computed | answered | judgment |", "|---|---|---|---|---|"]
    out += [_row(r) for r in rows]
    out += [
        "",
        f"{everything['computed'] + everything['answered']} of {n} criteria are computed or "
        f"answered: {share.quantize(Decimal(1))} % (aim: at least 80 %). "
        f"{everything['computed']} are computed "
        f"({(Decimal(100 * everything['computed']) / n).quantize(Decimal(1))} %), "
        f"{everything['judgment']} need an investigator's judgment alone.",
        "",
        text[trials_start:trials_end].rstrip("\n"),
        "",
    ]
    for code, definition in sorted(definitions().items()):
        reasons = {r[0]: r[2] for r in old.get(code, []) if len(r) == 3 and r[1] == "judgment"}
        out += trial_section(definition, reasons)
    DOC.write_text("\n".join(out).rstrip("\n") + "\n", encoding="utf-8")


if __name__ == "__main__":
    write()
