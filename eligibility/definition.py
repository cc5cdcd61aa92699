"""Protocol definitions: YAML text → a checked, typed :class:`ProtocolDefinition`.

Every problem is reported with the file's line (PyYAML's composed nodes keep each key's
position) and all problems found are collected, not only the first.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from pathlib import Path as FilePath
from types import MappingProxyType
from typing import Any, Literal, cast

import yaml

from eligibility import units
from eligibility.catalogue import Catalogue, Quantity, default_catalogue
from eligibility.catalogue_load import build_catalogue
from eligibility.errors import (
    CatalogueError,
    DefinitionError,
    Path,
    Problem,
    RuleError,
    path_text,
)
from eligibility.hints import did_you_mean, yaml_syntax
from eligibility.parser import parse_rule
from eligibility.reader import Reader
from eligibility.rules import Expr, Is, Node, Recorded, children
from eligibility.translations import Translations, read_translations, translated
from eligibility.unitsupport import Factors

FORMAT = "eligo-protocol/1"
CriterionKind = Literal["inclusion", "exclusion"]
_ID = re.compile(r"^[IE][1-9][0-9]*[a-z]?$")
_TOP = {
    "format",
    "trial",
    "protocol_version",
    "settings",
    "quantities",
    "questions",
    "event_types",
    "drug_classes",
    "drugs",
    "routes",
    "reference_dates",
    "criteria",
    "note",
}
Mark = tuple[int, int]
"""A line and a column in the file, both from 1."""
_CATALOGUE_KEYS = (
    "quantities",
    "questions",
    "event_types",
    "drug_classes",
    "drugs",
    "routes",
    "reference_dates",
)


@dataclass(frozen=True)
class UnitFactor:
    analyte: str
    from_unit: str
    to_unit: str
    factor: Decimal
    source: str


@dataclass(frozen=True)
class Settings:
    """How long results stay valid and other per-protocol choices.

    ``lab_validity_days`` applies to laboratory results, ``measurement_validity_days``
    (``None``: no limit) to other measurements; ``validity_days`` overrides either for one
    quantity.
    """

    lab_validity_days: int = 30
    measurement_validity_days: int | None = None
    validity_days: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    rescreen_limit: int | None = None
    unit_factors: tuple[UnitFactor, ...] = ()

    def validity_for(self, q: Quantity) -> int | None:
        if q.code in self.validity_days:
            return self.validity_days[q.code]
        if q.validity_days is not None:
            return q.validity_days
        return self.lab_validity_days if q.kind == "lab" else self.measurement_validity_days

    @cached_property
    def factors(self) -> Factors:
        """``unit_factors`` by analyte, built once (every conversion reads it)."""
        out: dict[str, dict[tuple[str, str], Decimal]] = {}
        for f in self.unit_factors:
            out.setdefault(f.analyte, {})[(f.from_unit, f.to_unit)] = f.factor
        return MappingProxyType({k: MappingProxyType(v) for k, v in out.items()})


@dataclass(frozen=True)
class Criterion:
    id: str
    kind: CriterionKind
    text: str
    rule: Expr
    rule_text: str
    heading: str | None = None
    note: str | None = None
    line: int = 0
    translations: Translations = ()

    def text_in(self, language: str | None) -> str:
        """The text in ``language`` when the definition translates it, else the original."""
        return translated(self.translations, "text", language) or self.text

    def heading_in(self, language: str | None) -> str | None:
        return translated(self.translations, "heading", language) or self.heading


@dataclass(frozen=True)
class ProtocolDefinition:
    trial_code: str
    title: str
    registry_id: str | None
    sponsor: str | None
    version: str
    settings: Settings
    criteria: tuple[Criterion, ...]
    catalogue: Catalogue
    source: str = "<definition>"
    # Question code → the parsed ``applies_when`` of its declaration.
    applicability: Mapping[str, Expr] = field(default_factory=lambda: MappingProxyType({}))

    def criterion(self, criterion_id: str) -> Criterion:
        return next(c for c in self.criteria if c.id == criterion_id)

    def requirements(self) -> Any:
        """What the rules need, grouped by form section; see
        :func:`eligibility.requirements.required_inputs`."""
        from eligibility.requirements import required_inputs

        return required_inputs(self)

    @cached_property
    def derived_codes(self) -> tuple[str, ...]:
        """The derived quantities the rules read (age, BMI, scores), in form order; an
        evaluation reports each one's value."""
        return tuple(i.code for i in self.requirements().inputs() if i.kind == "derived")


def load_definition_file(
    path: str | FilePath, *, catalogue: Catalogue | None = None
) -> ProtocolDefinition:
    p = FilePath(path)
    return load_definition(p.read_text(encoding="utf-8"), source=str(p), catalogue=catalogue)


def load_definition(
    text: str, *, source: str = "<definition>", catalogue: Catalogue | None = None
) -> ProtocolDefinition:
    """Parse and check a definition; raises :class:`DefinitionError` (every problem, each
    with ``source:line: reason``)."""
    data, lines, nodes, found = _compose(text, source)
    problems = list(found)
    r = Reader()
    top = r.mapping(data, ())
    if top is None:
        raise _error(source, r.problems, lines)
    r.keys(top, _TOP, ())
    if top.get("format") != FORMAT:
        r.add(("format",), f"must be {FORMAT!r} (got {top.get('format')!r})")
    trial = r.mapping(top.get("trial", {}), ("trial",)) or {}
    r.keys(trial, {"code", "title", "registry_id", "sponsor", "note"}, ("trial",))
    settings = _settings(r, top.get("settings") or {})
    base = catalogue if catalogue is not None else default_catalogue()
    extra = {k: top[k] for k in _CATALOGUE_KEYS if k in top}
    merged, failed = _declared_catalogue(extra, base, settings.factors, problems)
    for code in settings.validity_days:
        if code not in merged.quantities and code not in failed:
            hint = did_you_mean(code, merged.quantities)
            r.add(("settings", "validity_days", code), f"unknown quantity {code!r}{hint}")
    doc = _Document(text, lines, nodes, problems, failed)
    criteria = _criteria(r, top.get("criteria"), merged, settings.factors, doc)
    applicability = _applicability(top.get("questions"), merged, settings.factors, doc)
    definition = ProtocolDefinition(
        trial_code=r.text(trial, "code", ("trial",)) or "",
        title=r.text(trial, "title", ("trial",)) or "",
        registry_id=r.text(trial, "registry_id", ("trial",), required=False),
        sponsor=r.text(trial, "sponsor", ("trial",), required=False),
        version=r.text(top, "protocol_version", ()) or "",
        settings=settings,
        criteria=criteria,
        catalogue=merged,
        source=source,
        applicability=applicability,
    )
    problems.extend(r.problems)
    if problems:
        raise _error(source, problems, lines)
    return definition


def _declared_catalogue(
    extra: Mapping[str, Any], base: Catalogue, factors: Factors, problems: list[Problem]
) -> tuple[Catalogue, Mapping[str, Path]]:
    """The catalogue with the definition's own entries, and the entries that failed (code →
    where declared). Each problem is reported once, in ``problems``; the entries declared
    well are kept, so the rules that use them are still checked."""
    if not extra:
        return base, {}
    data = dict(extra)
    failed: dict[str, Path] = {}
    try:
        return build_catalogue(data, base=base, factors=factors), failed
    except CatalogueError as exc:
        problems.extend(exc.problems)
        found = exc.problems
    while True:
        bad = {(p.path[0], p.path[1]) for p in found if len(p.path) > 1}
        if not bad:
            # Nothing to drop item by item (a section that is not a list): keep none.
            return base, failed | _declared(data)
        failed |= {k: v for k, v in _declared(data).items() if (v[0], v[1]) in bad}
        data = _without(data, bad)
        try:
            return build_catalogue(data, base=base, factors=factors), failed
        except CatalogueError as again:
            found = again.problems


def _declared(data: Mapping[str, Any]) -> dict[str, Path]:
    """Code → where, for every entry of the catalogue sections that names a code."""
    out: dict[str, Path] = {}
    for key, items in data.items():
        if isinstance(items, list):
            for i, item in enumerate(items):
                if isinstance(item, Mapping) and isinstance(item.get("code"), str):
                    out.setdefault(item["code"], (key, i))
    return out


def _without(data: Mapping[str, Any], bad: set[tuple[Any, Any]]) -> dict[str, Any]:
    return {
        key: [x for i, x in enumerate(items) if (key, i) not in bad]
        if isinstance(items, list)
        else items
        for key, items in data.items()
    }


def _error(source: str, problems: list[Problem], lines: Mapping[Path, Mark]) -> DefinitionError:
    return DefinitionError(
        source,
        [
            p if p.line is not None else Problem(p.path, _message(p), *_line(lines, p.path))
            for p in problems
        ],
    )


def _message(p: Problem) -> str:
    return f"{path_text(p.path)}: {p.message}" if p.path else p.message


def _line(lines: Mapping[Path, Mark], path: Path) -> Mark:
    """The line and column of ``path``, or of its nearest ancestor in the file (the
    document itself, ``()``, always is)."""
    while path not in lines:
        path = path[:-1]
    return lines[path]


MAX_NODES = 100_000
"""More values than any protocol has: aliases expanding beyond it are refused."""

MAX_DEPTH = 16
"""How deep a definition may nest: a protocol nests four levels (``criteria``, an item,
its fields), so this is generous, and shallow enough that reading a document never comes
near Python's recursion limit. Deeper documents are refused with the line."""


def _too_deep(source: str, line: int, column: int) -> DefinitionError:
    message = f"the definition nests more than {MAX_DEPTH} levels deep"
    return DefinitionError(source, [Problem((), message, line, column)])


class _DepthLimitedLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing a document nested beyond :data:`MAX_DEPTH` while it
    is being composed (the composer recurses once per level)."""

    def __init__(self, text: str, source: str) -> None:
        super().__init__(text)
        self.source = source
        self.depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        opens = self.check_event(yaml.MappingStartEvent, yaml.SequenceStartEvent)
        if not opens:
            return super().compose_node(parent, index)
        if self.depth >= MAX_DEPTH:
            # PyYAML's stubs leave peek_event untyped; it returns the event about to open.
            event: yaml.Event = self.peek_event()  # type: ignore[no-untyped-call]
            mark = event.start_mark
            raise _too_deep(self.source, *((mark.line + 1, mark.column + 1) if mark else (1, 1)))
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def _refuse_hostile(source: str, n: Any, path: Path, at: Mark, *, cyclic: bool, count: int) -> None:
    """Stop walking a document that nests too deep, refers to itself or expands too far."""
    if len(path) >= MAX_DEPTH and isinstance(n, yaml.CollectionNode):
        # Aliases can nest documents that were each shallow enough when composed.
        raise _too_deep(source, *at)
    if cyclic:
        message = f"{path_text(path)}: an alias refers to itself"
        raise DefinitionError(source, [Problem(path, message, *at)])
    if count >= MAX_NODES:
        message = f"the definition has more than {MAX_NODES} values"
        raise DefinitionError(source, [Problem((), message, 1, 1)])


def _mark(node: Any) -> Mark:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _compose(
    text: str, source: str
) -> tuple[Any, dict[Path, Mark], dict[Path, Any], list[Problem]]:
    lines: dict[Path, Mark] = {}
    nodes: dict[Path, Any] = {}
    found: list[Problem] = []  # problems seen while walking: duplicate keys, control characters
    open_nodes: set[int] = set()  # the nodes being walked: an alias to one is a cycle

    def walk(n: Any, path: Path) -> None:
        _refuse_hostile(
            source,
            n,
            path,
            lines.get(path, _mark(n)),  # where an alias is used
            cyclic=id(n) in open_nodes,
            count=len(nodes),
        )
        lines.setdefault(path, _mark(n))
        nodes[path] = n
        open_nodes.add(id(n))
        try:
            _walk_children(n, path)
        finally:
            open_nodes.discard(id(n))

    def _walk_children(n: Any, path: Path) -> None:
        if isinstance(n, yaml.MappingNode):
            seen: set[str] = set()
            for k, v in n.value:
                key = str(k.value)
                found.extend(_control_characters((*path, key), key, _mark(k)))
                if key in seen:
                    message = f"duplicate key {key!r}"
                    found.append(Problem((*path, key), message, *_mark(k)))
                seen.add(key)
                lines[(*path, key)] = _mark(k)
                walk(v, (*path, key))
                lines[(*path, key)] = _mark(k)
        elif isinstance(n, yaml.SequenceNode):
            for i, v in enumerate(n.value):
                walk(v, (*path, i))
        else:
            found.extend(_control_characters(path, str(n.value), _mark(n)))

    try:
        loader = _DepthLimitedLoader(text, source)
    except yaml.reader.ReaderError as exc:  # a character YAML never allows, such as NUL
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        message = f"YAML: unacceptable character #x{exc.character:04x}"
        raise DefinitionError(source, [Problem((), message, line, column)]) from None
    try:
        node = loader.get_single_node()
        if node is None:
            problem = Problem((), "the definition is empty", 1, 1)
            raise DefinitionError(source, [problem])
        # Walk the nodes as written before constructing: construction expands YAML merge
        # keys (``<<: *anchor``) in place, and the merged keys would look like duplicates.
        walk(node, ())
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        message, line, column = yaml_syntax(exc, text)
        raise DefinitionError(source, [Problem((), message, line, column)]) from None
    finally:
        loader.dispose()
    return data, lines, nodes, found


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _control_characters(path: Path, value: str, at: Mark) -> list[Problem]:
    """A value written with an escape (``"\\0"``) that holds a control character: no
    protocol text needs one, and NUL cannot even be stored."""
    found = _CONTROL.search(value)
    if found is None:
        return []
    where = _CONTROL.sub(lambda m: f"\\x{ord(m[0]):02x}", path_text(path))  # escaped for the reader
    message = f"{where}: contains the control character U+{ord(found[0]):04X}"
    return [Problem(path, message, *at)]


def _settings(r: Reader, raw: Any) -> Settings:
    path: Path = ("settings",)
    m = r.mapping(raw, path)
    if m is None:
        return Settings()
    r.keys(
        m,
        {
            "lab_validity_days",
            "measurement_validity_days",
            "validity_days",
            "rescreen_limit",
            "unit_factors",
            "note",
        },
        path,
    )
    validity: dict[str, int] = {}
    vm = r.mapping(m.get("validity_days") or {}, (*path, "validity_days")) or {}
    for code in vm:
        days = r.integer(vm, code, (*path, "validity_days"), minimum=1, required=True)
        if days is not None:
            validity[str(code)] = days
    factors: list[UnitFactor] = []
    for i, item in enumerate(
        r.sequence(m.get("unit_factors") or [], (*path, "unit_factors")) or ()
    ):
        where = (*path, "unit_factors", i)
        fm = r.mapping(item, where)
        if fm is None:
            continue
        r.keys(fm, {"analyte", "from", "to", "factor", "source"}, where)
        analyte = r.text(fm, "analyte", where)
        pair = []
        for key in ("from", "to"):
            unit = r.text(fm, key, where)
            try:
                pair.append(units.normalise_unit(unit) if unit else "")
            except units.UnitError as exc:
                r.add((*where, key), str(exc))
        factor = r.decimal(fm, "factor", where, required=True)
        if factor is not None and factor <= 0:
            r.add((*where, "factor"), "must be positive")
        source = r.text(fm, "source", where)
        if analyte and len(pair) == 2 and all(pair) and factor and factor > 0 and source:
            factors.append(UnitFactor(analyte, pair[0], pair[1], factor, source))
    lab_days = r.integer(m, "lab_validity_days", path, minimum=1)
    return Settings(
        lab_validity_days=30 if lab_days is None else lab_days,
        measurement_validity_days=r.integer(m, "measurement_validity_days", path, minimum=1),
        validity_days=MappingProxyType(validity),
        rescreen_limit=r.integer(m, "rescreen_limit", path, minimum=0),
        unit_factors=tuple(factors),
    )


@dataclass(frozen=True)
class _Document:
    """The definition as written: its text, where each value is, the problems found so
    far, and the catalogue entries declared with errors (code → where)."""

    text: str
    lines: Mapping[Path, Mark]
    nodes: Mapping[Path, Any]
    problems: list[Problem]
    failed: Mapping[str, Path]


def _criteria(
    r: Reader, raw: Any, cat: Catalogue, factors: Factors, doc: _Document
) -> tuple[Criterion, ...]:
    if raw is None:
        r.add(("criteria",), "is required: list the inclusion and exclusion criteria")
        return ()
    seq = r.sequence(raw, ("criteria",))
    out: list[Criterion] = []
    seen: set[str] = set()
    unchecked: dict[str, list[str]] = {}  # failed declaration → criteria that use it
    for i, item in enumerate(seq or ()):
        where: Path = ("criteria", i)
        m = r.mapping(item, where)
        if m is None:
            continue
        r.keys(m, {"id", "kind", "text", "heading", "rule", "note", "translations"}, where)
        cid = r.text(m, "id", where)
        kind = r.choice(m, "kind", where, ("inclusion", "exclusion"))
        text = r.text(m, "text", where)
        rule_text = r.text(m, "rule", where)
        translations = read_translations(r, m, where, {"text", "heading"})
        if cid is not None:
            _check_id(r, cid, kind, where, seen)
        rule = None
        if rule_text is not None:
            try:
                rule = parse_rule(rule_text, cat, factors)
            except RuleError as exc:
                name = _word_at(rule_text, exc.line, exc.column)
                if name in doc.failed:
                    unchecked.setdefault(name, []).append(cid or str(i + 1))
                else:
                    doc.problems.append(_rule_problem(doc, where, cid, rule_text, exc))
        if cid and kind and text and rule_text and rule is not None:
            out.append(
                Criterion(
                    cid,
                    cast(CriterionKind, kind),
                    text,
                    rule,
                    rule_text,
                    r.text(m, "heading", where, required=False),
                    r.text(m, "note", where, required=False),
                    doc.lines.get(where, (0, 0))[0],
                    translations,
                )
            )
    if seq is not None and not seq:
        r.add(("criteria",), "lists no criteria")
    for name, ids in unchecked.items():
        r.add(
            doc.failed[name],
            f"{name} is declared with errors, so the rules that use it ({', '.join(ids)}) "
            "were not checked; fix the declaration and load again",
        )
    return tuple(out)


def _applicability(
    declared: Any, cat: Catalogue, factors: Factors, doc: _Document
) -> Mapping[str, Expr]:
    """Each question's ``applies_when``, parsed as a rule of this protocol. A problem is
    placed at the condition in the file when the protocol declares the question."""
    where: dict[str, Path] = {}
    for i, item in enumerate(declared if isinstance(declared, list) else ()):
        if isinstance(item, Mapping) and isinstance(item.get("code"), str):
            where[item["code"]] = ("questions", i)
    out: dict[str, Expr] = {}
    for code, q in cat.questions.items():
        if q.applies_when is None:
            continue
        path = (*where.get(code, ("questions",)), "applies_when")
        try:
            out[code] = parse_rule(q.applies_when, cat, factors)
        except RuleError as exc:
            doc.problems.append(_condition_problem(doc, path, code, q.applies_when, exc))
    for code in _cycles(out):
        path = (*where.get(code, ("questions",)), "applies_when")
        message = (
            f"question {code} applies_when: the condition depends on the question itself "
            "(directly or through other questions' conditions)"
        )
        doc.problems.append(Problem(path, message, *_line(doc.lines, path)))
    return MappingProxyType(out)


def _subjects(node: Node) -> set[str]:
    """The answers, quantities and dates a rule reads by name."""
    found = {node.subject} if isinstance(node, Is | Recorded) else set()
    for child in children(node):
        found |= _subjects(child)
    return found


def _cycles(conditions: Mapping[str, Expr]) -> list[str]:
    """The questions whose condition reaches back to themselves."""
    reads = {code: _subjects(expr) & set(conditions) for code, expr in conditions.items()}
    looping = []
    for start in conditions:
        seen: set[str] = set()
        todo = list(reads[start])
        while todo:
            code = todo.pop()
            if code == start:
                looping.append(start)
                break
            if code not in seen:
                seen.add(code)
                todo.extend(reads[code])
    return looping


def _condition_problem(doc: _Document, path: Path, code: str, rule: str, exc: RuleError) -> Problem:
    message = f"question {code} applies_when, line {exc.line} column {exc.column}: {exc.message}"
    node = doc.nodes.get(path)
    if node is None:
        return Problem(path, message, *_line(doc.lines, path))
    line, column = _rule_position(doc.text, node, rule, exc.line, exc.column)
    return Problem(path, message, line, column)


def _check_id(r: Reader, cid: str, kind: str | None, where: Path, seen: set[str]) -> None:
    if not _ID.match(cid):
        r.add((*where, "id"), f"criterion id {cid!r} must look like I1, E12 or E12a")
    elif kind is not None and cid[0] != kind[0].upper():
        r.add(
            (*where, "id"),
            f"{cid} is an {kind} criterion; its id must start with {kind[0].upper()}",
        )
    if cid in seen:
        r.add((*where, "id"), f"duplicate criterion id {cid!r}")
    seen.add(cid)


def _word_at(rule_text: str, line: int, column: int) -> str:
    """The word of the rule that starts at ``line``/``column`` (from 1), or ``""``."""
    lines = rule_text.split("\n")
    if not 0 < line <= len(lines):
        return ""
    found = re.match(r"[A-Za-z_][A-Za-z0-9_]*", lines[line - 1][column - 1 :])
    return found[0] if found else ""


def _rule_problem(
    doc: _Document, where: Path, cid: str | None, rule: str, exc: RuleError
) -> Problem:
    path = (*where, "rule")
    line, column = _rule_position(doc.text, doc.nodes[path], rule, exc.line, exc.column)
    name = cid or str(int(where[1]) + 1)
    message = f"criterion {name} rule, line {exc.line} column {exc.column}: {exc.message}"
    return Problem(path, message, line, column)


def _rule_position(text: str, node: Any, rule: str, line: int, column: int) -> Mark:
    """The file line and column of ``line``/``column`` (from 1) inside a rule's text.

    A rule's value differs from its source only in whitespace (indentation, folded line
    breaks) and the quotes or block indicator before it, so the n-th visible character of
    the rule is the n-th visible character of the scalar in the file. Every value read
    from the document has its node, merged (``<<:``) values included."""
    rule_lines = rule.split("\n")
    offset = sum(len(x) + 1 for x in rule_lines[: line - 1]) + column - 1
    nth = sum(1 for ch in rule[:offset] if not ch.isspace())
    start, end = node.start_mark.index, node.end_mark.index
    if getattr(node, "style", None) in ("|", ">"):
        start = text.find("\n", start, end) + 1 or end  # past the block indicator
    elif getattr(node, "style", None) in ("'", '"'):
        start += 1
    index, seen = start, 0
    for index in range(start, end):
        if not text[index].isspace():
            if seen == nth:
                break
            seen += 1
    else:
        index = end  # the end of the rule
    line_start = text.rfind("\n", 0, index) + 1
    return text.count("\n", 0, index) + 1, index - line_start + 1
