"""Building a :class:`~eligibility.catalogue.Catalogue` from plain data, checking it all."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any, TypeVar, cast

from eligibility import units
from eligibility.catalogue import (
    SECTIONS,
    Catalogue,
    DetailField,
    Drug,
    DrugClass,
    EventType,
    Limits,
    Quantity,
    QuantityKind,
    Question,
    QuestionKind,
    ReferenceDate,
)
from eligibility.derive import CALCULATORS, CalculatorSpec
from eligibility.errors import CatalogueError, Path
from eligibility.hints import did_you_mean
from eligibility.reader import CODE, Reader
from eligibility.translations import read_translations
from eligibility.unitsupport import Factors, canonical_unit

T = TypeVar("T")
_KINDS = ("measurement", "lab", "derived")
_QUESTION_KINDS = ("answer", "judgment")
# Facts that may answer a question (``answered_by``): the day consent was signed.
ANSWERING_FACTS = ("consent_date",)
_QUANTITY_FIELDS = {
    "code",
    "label",
    "unit",
    "units",
    "precision",
    "kind",
    "section",
    "hard",
    "soft",
    "analyte",
    "values",
    "calculator",
    "inputs",
    "parameters",
    "validity_days",
    "note",
}


def build_catalogue(
    data: Mapping[str, Any],
    *,
    base: Catalogue | None = None,
    factors: Factors | None = None,
    path: Path = (),
) -> Catalogue:
    """Read ``data``; with ``base``, add to (or override) its entries."""
    r = Reader()
    r.keys(
        data,
        {
            "quantities",
            "questions",
            "event_types",
            "drug_classes",
            "drugs",
            "routes",
            "reference_dates",
            "format",
            "note",
        },
        path,
    )
    routes = list(base.routes) if base else []
    for i, route in enumerate(r.codes(data, "routes", path)):
        if route in routes and base is None:
            r.add((*path, "routes", i), f"duplicate route {route!r}")
        routes.append(route)
    routes = list(dict.fromkeys(routes))

    def entries(key: str, read: Any, existing: Mapping[str, T] | None) -> dict[str, T]:
        out: dict[str, T] = dict(existing or {})
        seen: set[str] = set()
        items = data.get(key)
        if items is None:
            return out
        seq = r.sequence(items, (*path, key))
        for i, item in enumerate(seq or ()):
            where = (*path, key, i)
            m = r.mapping(item, where)
            if m is None:
                continue
            entry = read(r, m, where)
            if entry is None:
                continue
            if entry.code in seen:
                r.add((*where, "code"), f"duplicate code {entry.code!r} in {key}")
            seen.add(entry.code)
            out[entry.code] = entry
        return out

    quantities = entries("quantities", _quantity, base.quantities if base else None)
    questions = entries("questions", _question, base.questions if base else None)
    events = entries("event_types", _event_type, base.event_types if base else None)
    classes = entries("drug_classes", _drug_class, base.drug_classes if base else None)
    drugs = entries("drugs", _drug, base.drugs if base else None)
    reference_dates = entries(
        "reference_dates", _reference_date, base.reference_dates if base else None
    )

    _check_quantities(r, data, quantities, events, classes, factors, path)
    _check_drugs(r, data, classes, drugs, routes, path)
    _check_reference_dates(
        r, data, {"event type": events, "quantity": quantities, "question": questions}, path
    )
    if r.problems:
        raise CatalogueError(r.problems)
    return Catalogue(
        quantities=MappingProxyType(quantities),
        questions=MappingProxyType(questions),
        event_types=MappingProxyType(events),
        drug_classes=MappingProxyType(classes),
        drugs=MappingProxyType(drugs),
        routes=tuple(routes),
        reference_dates=MappingProxyType(reference_dates),
    )


def _limits(r: Reader, m: Mapping[str, Any], key: str, path: Path) -> Limits:
    value = m.get(key)
    if value is None:
        return Limits()
    lim = r.mapping(value, (*path, key))
    if lim is None:
        return Limits()
    r.keys(lim, {"low", "high"}, (*path, key))
    low = r.decimal(lim, "low", (*path, key))
    high = r.decimal(lim, "high", (*path, key))
    if low is not None and high is not None and low > high:
        r.add((*path, key), f"low ({low}) is above high ({high})")
    return Limits(low, high)


def _str_map(r: Reader, m: Mapping[str, Any], key: str, path: Path) -> Mapping[str, str] | None:
    value = m.get(key)
    if value is None:
        return None
    mm = r.mapping(value, (*path, key))
    if mm is None:
        return None
    out: dict[str, str] = {}
    for k, v in mm.items():
        if not isinstance(v, str):
            r.add((*path, key, str(k)), f"must be a code, not {v!r}")
        else:
            out[str(k)] = v
    return MappingProxyType(out)


def _quantity(r: Reader, m: Mapping[str, Any], path: Path) -> Quantity | None:
    r.keys(m, _QUANTITY_FIELDS, path)
    code = r.code(m, "code", path)
    label = r.text(m, "label", path)
    kind = r.choice(m, "kind", path, _KINDS)
    unit = canonical_unit(r.text(m, "unit", path, required=False) or "")
    section = r.choice(m, "section", path, SECTIONS, required=False)
    precision = r.integer(m, "precision", path, required=True)
    listed = [canonical_unit(u) for u in r.codes(m, "units", path)]
    qualitative = r.codes(m, "values", path)
    if code is None or label is None or kind is None or precision is None:
        return None
    default_section = {"lab": "labs", "measurement": "anthropometry", "derived": "labs"}[kind]
    return Quantity(
        code=code,
        label=label,
        unit=unit,
        units=tuple(dict.fromkeys([unit, *listed])),
        precision=precision,
        kind=cast(QuantityKind, kind),
        section=section or default_section,
        hard=_limits(r, m, "hard", path),
        soft=_limits(r, m, "soft", path),
        analyte=r.text(m, "analyte", path, required=False),
        qualitative=qualitative,
        calculator=r.text(m, "calculator", path, required=kind == "derived"),
        inputs=_str_map(r, m, "inputs", path),
        parameters=_str_map(r, m, "parameters", path),
        validity_days=r.integer(m, "validity_days", path, minimum=1),
    )


def _check_quantities(
    r: Reader,
    data: Mapping[str, Any],
    quantities: Mapping[str, Quantity],
    events: Mapping[str, EventType],
    classes: Mapping[str, DrugClass],
    factors: Factors | None,
    path: Path,
) -> None:
    for i, code in _declared_codes(data, "quantities"):
        if code not in quantities:
            continue
        q = quantities[code]
        where = (*path, "quantities", i)
        _check_units(r, q, factors, where)
        if q.kind != "derived":
            if q.calculator or q.inputs:
                r.add((*where, "calculator"), f"{q.code}: only derived quantities have one")
            continue
        spec = CALCULATORS.get(q.calculator or "")
        if spec is None:
            r.add(
                (*where, "calculator"),
                f"{q.code}: unknown calculator {q.calculator!r}"
                f"{did_you_mean(q.calculator or '', CALCULATORS) or ';'} known: "
                + ", ".join(CALCULATORS),
            )
            continue
        _check_inputs(r, q, spec, quantities, where)
        _check_parameters(r, q, spec, events, classes, where)


def _check_units(r: Reader, q: Quantity, factors: Factors | None, where: Path) -> None:
    """Every unit a quantity accepts converts to its canonical unit, by the table or by a
    factor the protocol supplies."""
    own = (factors or {}).get(q.analyte or "", {})
    for u in q.units:
        if u == q.unit or any(u in pair and q.unit in pair for pair in own):
            continue
        if not units.can_convert(q.analyte, u, q.unit):
            r.add(
                (*where, "units"),
                f"{q.code}: no conversion from {u} to {q.unit}"
                + (f" for analyte {q.analyte}" if q.analyte else " (no analyte given)"),
            )


def _check_inputs(
    r: Reader,
    q: Quantity,
    spec: CalculatorSpec,
    quantities: Mapping[str, Quantity],
    where: Path,
) -> None:
    """A derived quantity fills each of its calculator's slots with a quantity in a unit
    that converts to the slot's, and names no other input."""
    inputs = dict(q.inputs or {})
    for slot, unit in spec.slots.items():
        source = inputs.pop(slot, None)
        if source is None:
            r.add((*where, "inputs"), f"{q.code}: calculator {spec.name} needs input {slot!r}")
        elif source not in quantities:
            hint = did_you_mean(source, quantities)
            r.add((*where, "inputs", slot), f"{q.code}: unknown quantity {source!r}{hint}")
        elif source == q.code:
            r.add((*where, "inputs", slot), f"{q.code}: a quantity cannot derive from itself")
        else:
            src = quantities[source]
            if src.unit != unit and not units.can_convert(src.analyte, src.unit, unit):
                r.add(
                    (*where, "inputs", slot),
                    f"{q.code}: input {source} is in {src.unit}, "
                    f"calculator {spec.name} needs {unit}",
                )
    for extra in inputs:
        r.add(
            (*where, "inputs", extra),
            f"{q.code}: calculator {spec.name} has no input {extra!r}",
        )


def _check_parameters(
    r: Reader,
    q: Quantity,
    spec: CalculatorSpec,
    events: Mapping[str, EventType],
    classes: Mapping[str, DrugClass],
    where: Path,
) -> None:
    """A derived quantity gives each of its calculator's parameters an allowed value (an
    event type or drug class the catalogue knows), and no other parameter."""
    params = dict(q.parameters or {})
    for name, allowed in spec.parameters.items():
        value = params.pop(name, None)
        if value is None:
            r.add(
                (*where, "parameters"),
                f"{q.code}: calculator {spec.name} needs parameter {name!r}",
            )
        elif allowed and value not in allowed:
            r.add(
                (*where, "parameters", name),
                f"{q.code}: {name} must be one of {', '.join(allowed)}",
            )
        elif name == "event" and value not in events:
            hint = did_you_mean(value, events)
            r.add((*where, "parameters", name), f"{q.code}: unknown event type {value!r}{hint}")
        elif name == "drug_class" and value not in classes:
            hint = did_you_mean(value, classes)
            r.add((*where, "parameters", name), f"{q.code}: unknown drug class {value!r}{hint}")
    for extra in params:
        r.add(
            (*where, "parameters", extra),
            f"{q.code}: calculator {spec.name} has no parameter {extra!r}",
        )


def _declared_codes(
    data: Mapping[str, Any], key: str, named_by: str = "label"
) -> list[tuple[int, str]]:
    items = data.get(key)
    if not isinstance(items, Sequence) or isinstance(items, str):
        return []
    return [
        (i, item["code"])
        for i, item in enumerate(items)
        if isinstance(item, Mapping)
        and isinstance(item.get("code"), str)
        and CODE.match(item["code"])
        and item.get(named_by)
        and (key != "quantities" or (item.get("kind") in _KINDS and "precision" in item))
    ]


def _question(r: Reader, m: Mapping[str, Any], path: Path) -> Question | None:
    r.keys(
        m,
        {"code", "text", "kind", "section", "applies_when", "answered_by", "note", "translations"},
        path,
    )
    code = r.code(m, "code", path)
    text = r.text(m, "text", path)
    kind = r.choice(m, "kind", path, _QUESTION_KINDS)
    section = r.choice(m, "section", path, SECTIONS, required=False)
    translations = read_translations(r, m, path, {"text"})
    # The condition is parsed with the protocol's rules, once the catalogue is built.
    applies_when = r.text(m, "applies_when", path, required=False)
    answered_by = r.choice(m, "answered_by", path, ANSWERING_FACTS, required=False)
    if code is None or text is None or kind is None:
        return None
    return Question(
        code,
        text,
        cast(QuestionKind, kind),
        section or ("judgment" if kind == "judgment" else "answers"),
        translations,
        applies_when,
        answered_by,
    )


def _event_type(r: Reader, m: Mapping[str, Any], path: Path) -> EventType | None:
    r.keys(m, {"code", "label", "details", "note"}, path)
    code = r.code(m, "code", path)
    label = r.text(m, "label", path)
    details: list[DetailField] = []
    for i, d in enumerate(r.sequence(m.get("details", []), (*path, "details")) or ()):
        where = (*path, "details", i)
        dm = r.mapping(d, where)
        if dm is None:
            continue
        r.keys(dm, {"code", "label", "values"}, where)
        dcode = r.code(dm, "code", where)
        dlabel = r.text(dm, "label", where)
        values = r.codes(dm, "values", where)
        if not dm.get("values"):
            r.add((*where, "values"), "must list the detail's possible values")
        if dcode and dlabel:
            details.append(DetailField(dcode, dlabel, values))
    if code is None or label is None:
        return None
    return EventType(code, label, tuple(details))


def _reference_date(r: Reader, m: Mapping[str, Any], path: Path) -> ReferenceDate | None:
    r.keys(m, {"code", "text", "note"}, path)
    code = r.code(m, "code", path)
    text = r.text(m, "text", path)
    if code == "screening":
        r.add((*path, "code"), "'screening' is reserved: windows use the screening date by default")
        return None
    if code is None or text is None:
        return None
    return ReferenceDate(code, text)


def _check_reference_dates(
    r: Reader, data: Mapping[str, Any], taken: Mapping[str, Mapping[str, Any]], path: Path
) -> None:
    """A window's anchor is a reference date or an event type, and ``X is recorded`` names
    a reference date, a quantity or a question, so a reference date's code is its own."""
    for i, code in _declared_codes(data, "reference_dates", "text"):
        for what, codes in taken.items():
            if code in codes:
                r.add(
                    (*path, "reference_dates", i, "code"),
                    f"{code!r} is already {'an' if what[0] in 'aeiou' else 'a'} {what}; "
                    "a reference date needs a code of its own",
                )


def _drug_class(r: Reader, m: Mapping[str, Any], path: Path) -> DrugClass | None:
    r.keys(m, {"code", "label", "atc", "includes", "note"}, path)
    code = r.code(m, "code", path)
    label = r.text(m, "label", path)
    if code is None or label is None:
        return None
    return DrugClass(code, label, r.codes(m, "atc", path), r.codes(m, "includes", path))


def _drug(r: Reader, m: Mapping[str, Any], path: Path) -> Drug | None:
    r.keys(
        m, {"code", "label", "atc", "classes", "routes", "prednisolone_equivalent_mg", "note"}, path
    )
    code = r.code(m, "code", path)
    label = r.text(m, "label", path)
    equivalent = r.decimal(m, "prednisolone_equivalent_mg", path)
    if equivalent is not None and equivalent <= 0:
        r.add((*path, "prednisolone_equivalent_mg"), "must be positive")
    if code is None or label is None:
        return None
    return Drug(
        code,
        label,
        r.codes(m, "classes", path),
        r.codes(m, "routes", path),
        r.text(m, "atc", path, required=False),
        equivalent,
    )


def _check_drugs(
    r: Reader,
    data: Mapping[str, Any],
    classes: Mapping[str, DrugClass],
    drugs: Mapping[str, Drug],
    routes: list[str],
    path: Path,
) -> None:
    for i, code in _declared_codes(data, "drug_classes"):
        if code not in classes:
            continue
        for j, sub in enumerate(classes[code].includes):
            if sub not in classes:
                r.add(
                    (*path, "drug_classes", i, "includes", j),
                    f"unknown drug class {sub!r}{did_you_mean(sub, classes)}",
                )
    for i, code in _declared_codes(data, "drugs"):
        if code in drugs:
            _check_drug(r, drugs[code], classes, routes, (*path, "drugs", i))


def _check_drug(
    r: Reader, drug: Drug, classes: Mapping[str, DrugClass], routes: list[str], where: Path
) -> None:
    """A drug belongs to known classes, is given by known routes and is not itself a class."""
    code = drug.code
    if not drug.classes:
        r.add((*where, "classes"), f"{code}: a drug belongs to at least one class")
    for j, c in enumerate(drug.classes):
        if c not in classes:
            r.add((*where, "classes", j), f"unknown drug class {c!r}{did_you_mean(c, classes)}")
    for j, route in enumerate(drug.routes):
        if route not in routes:
            hint = did_you_mean(route, routes) or ";"
            r.add(
                (*where, "routes", j), f"unknown route {route!r}{hint} known: " + ", ".join(routes)
            )
    if code in classes:
        r.add((*where, "code"), f"{code!r} is already a drug class")
