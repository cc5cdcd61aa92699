"""Units: canonical spellings and exact conversions between them.

A value may be entered in any unit its analyte allows; Eligo stores and compares it in the
quantity's canonical unit. Conversions are exact Decimal arithmetic (40 significant digits;
callers round to the quantity's precision). Every factor is a row of :data:`CONVERSIONS`
carrying its source, so the documentation and error messages can cite it.

Three kinds of conversion exist:

* **generic** (``analyte`` ``None`` in the table): mass and length, true whatever the
  analyte, exact by definition (SI prefixes; the 1959 international yard and pound);
* **analyte-specific**: molar ↔ mass concentrations and equivalent spellings, keyed by
  analyte, including one affine row (HbA1c NGSP % ↔ IFCC mmol/mol);
* **assay-dependent** (HBV DNA IU/mL ↔ copies/mL): refused unless the protocol supplies
  the factor through ``factors``.

Time units are never converted (months and years have no fixed length in days; durations
come from dates, see ``calculators.months_between``), nor are alcohol drinks (a drink's
gram size depends on the country and a daily limit is not a weekly average).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType

from eligibility.calc_numbers import exact_context


class UnitError(ValueError):
    """A unit is unknown, or a value cannot be converted between two units."""


@dataclass(frozen=True)
class Conversion:
    """One row of the conversion table: ``to = (from - offset) × factor + shift``.

    ``offset`` and ``shift`` are zero except for the two affine rows: the HbA1c master
    equation (an offset) and Celsius → Fahrenheit (× 1.8 + 32, a shift, so that both
    directions use exact factors). The reverse direction is
    ``from = (to - shift) / factor + offset``. ``analyte`` ``None`` means the row
    holds for any analyte (plain mass or length).
    """

    analyte: str | None
    from_unit: str
    to_unit: str
    factor: Decimal
    offset: Decimal
    source: str
    shift: Decimal = Decimal(0)

    def forward(self, value: Decimal) -> Decimal:
        """``from_unit`` → ``to_unit``; call inside ``exact_context()``."""
        return (value - self.offset) * self.factor + self.shift

    def backward(self, value: Decimal) -> Decimal:
        """``to_unit`` → ``from_unit``; call inside ``exact_context()``."""
        return (value - self.shift) / self.factor + self.offset


_SI = "SI prefixes (BIPM SI Brochure, 9th edition)"
_POUND = "International yard and pound agreement (1959): 1 lb = 0.45359237 kg exactly"
_INCH = "International yard and pound agreement (1959): 1 in = 2.54 cm exactly"
_SAME = "Dimensional identity: both spellings denote the same quantity"
_ENZYME = (
    "Enzyme unit (IUB 1961): 1 U = 1 IU = 1 µmol substrate/min, so U/L = IU/L; "
    "SI conversion tables list ALT, AST, ALP and GGT as 'same'"
)
_TIME = "SI Brochure, 9th edition, table 8: 1 min = 60 s, 1 h = 60 min (exact)"
_PER_MINUTE = "Dimensional identity: a rate per minute, whatever is counted"
_FAHRENHEIT = (
    "Definition of the Fahrenheit scale: °F = °C × 9/5 + 32 exactly (NIST SP 811, appendix B.9)"
)
_T4 = "SI conversion table (AMA Manual of Style); thyroxine molar mass 776.87 g/mol"


def _row(
    analyte: str | None,
    src: str,
    dst: str,
    factor: str,
    source: str,
    offset: str = "0",
    shift: str = "0",
) -> Conversion:
    return Conversion(analyte, src, dst, Decimal(factor), Decimal(offset), source, Decimal(shift))


CONVERSIONS: tuple[Conversion, ...] = (
    _row(None, "kg", "g", "1000", _SI),
    _row(None, "g", "mg", "1000", _SI),
    _row(None, "lb", "kg", "0.45359237", _POUND),
    _row(None, "m", "cm", "100", _SI),
    _row(None, "in", "cm", "2.54", _INCH),
    _row(None, "score", "points", "1", "A score is a sum of points"),
    _row(None, "min", "s", "60", _TIME),
    _row(None, "h", "min", "60", _TIME),
    _row(
        "creatinine",
        "mg/dL",
        "µmol/L",
        "88.42",
        "Eligo convention (brief); csmu and elephantcare SI tables. Many tables (JAMA/AMA, "
        "molar mass 113.12 g/mol) use 88.4; the two differ by 0.02%",
    ),
    _row(
        "glucose",
        "mmol/L",
        "mg/dL",
        "18.016",
        "Molar mass of glucose 180.16 g/mol; 18, 18.018 and 18.0182 also circulate",
    ),
    _row("bilirubin", "mg/dL", "µmol/L", "17.1", "csmu, elephantcare and iasri SI tables"),
    _row(
        "calcium",
        "mmol/L",
        "mg/dL",
        "4.008",
        "csmu, elephantcare SI tables (the SI factor 0.2495 = 1/4.008)",
    ),
    _row("alt", "U/L", "IU/L", "1", _ENZYME),
    _row("ast", "U/L", "IU/L", "1", _ENZYME),
    _row("alp", "U/L", "IU/L", "1", _ENZYME),
    _row("ggt", "U/L", "IU/L", "1", _ENZYME),
    _row("tsh", "mIU/L", "µIU/mL", "1", _SAME),
    _row("insulin", "µU/mL", "mU/L", "1", _SAME),
    _row(
        "insulin",
        "µU/mL",
        "pmol/L",
        "6.0",
        "HOMA convention: about 6 pmol/L per µU/mL (Matthews 1985 via medicalalgorithms.com); "
        "6.945 (older insulin standard) also circulates",
    ),
    _row("free_t4", "ng/dL", "pmol/L", "12.87", _T4),
    _row("total_t4", "µg/dL", "nmol/L", "12.87", _T4),
    _row(
        "hba1c",
        "%",
        "mmol/mol",
        "10.929",
        "IFCC-NGSP master equation: IFCC (mmol/mol) = (NGSP % − 2.15) × 10.929 "
        "(Hoelzel et al., Clin Chem 2004;50:166-74)",
        offset="2.15",
    ),
    _row("haemoglobin", "g/dL", "g/L", "10", _SI),
    _row("heart_rate", "beats/min", "/min", "1", _PER_MINUTE),
    _row("respiratory_rate", "breaths/min", "/min", "1", _PER_MINUTE),
    _row("temperature", "°C", "°F", "1.8", _FAHRENHEIT, shift="32"),
)

_ASSAY_DEPENDENT: Mapping[str, tuple[frozenset[str], str]] = MappingProxyType(
    {
        "hbv_dna": (
            frozenset({"IU/mL", "copies/mL"}),
            "the IU ↔ copies factor depends on the assay (WHO International Standard 97/746 "
            "defines the IU; about 5.6 copies/IU is quoted, the JSH guideline gives 5.82 for "
            "Roche TaqMan and 3.41 for Abbott), so the protocol must supply the factor",
        ),
    }
)

# Quantities whose entry units are generic rather than in the analyte table.
_GENERIC_ENTRY_UNITS: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "weight": frozenset({"kg", "g", "lb"}),
        "height": frozenset({"cm", "m", "in"}),
        "bmi": frozenset({"kg/m2"}),
        "bmd": frozenset({"g/cm2"}),
        "egfr": frozenset({"mL/min/1.73m2"}),
        "age": frozenset({"years"}),
        "dose": frozenset({"mg", "g"}),
        "daily_dose": frozenset({"mg/day"}),
        "alcohol": frozenset({"drinks/day", "drinks/week"}),
        "score": frozenset({"score", "points"}),
        "blood_pressure": frozenset({"mmHg"}),
        "duration": frozenset({"s", "min", "h"}),
    }
)

_ANALYTE_ALIASES: Mapping[str, str] = MappingProxyType(
    {
        "hemoglobin": "haemoglobin",
        "hb": "haemoglobin",
        "hgb": "haemoglobin",
        "ft4": "free_t4",
        "t4": "total_t4",
        "a1c": "hba1c",
        "sgpt": "alt",
        "sgot": "ast",
        "gamma_gt": "ggt",
        "body_weight": "weight",
        "pulse": "heart_rate",
        "body_temperature": "temperature",
    }
)

_CANONICAL_UNITS: tuple[str, ...] = (
    "mg/dL",
    "µmol/L",
    "mmol/L",
    "nmol/L",
    "pmol/L",
    "mmol/mol",
    "U/L",
    "IU/L",
    "mIU/L",
    "µIU/mL",
    "µU/mL",
    "mU/L",
    "IU/mL",
    "copies/mL",
    "ng/dL",
    "µg/dL",
    "g/L",
    "g/dL",
    "10^9/L",
    "kg",
    "g",
    "mg",
    "lb",
    "cm",
    "m",
    "in",
    "kg/m2",
    "g/cm2",
    "%",
    "years",
    "months",
    "weeks",
    "days",
    "mg/day",
    "mL/min/1.73m2",
    "score",
    "points",
    "drinks/day",
    "drinks/week",
    "mmHg",
    "beats/min",
    "breaths/min",
    "/min",
    "°C",
    "°F",
    "s",
    "min",
    "h",
)

_ALIASES: Mapping[str, str] = MappingProxyType(
    {
        "mcmol/l": "µmol/L",
        "mcg/dl": "µg/dL",
        "ug/dl": "µg/dL",
        "uiu/ml": "µIU/mL",
        "uu/ml": "µU/mL",
        "x10^9/l": "10^9/L",
        "×10^9/l": "10^9/L",
        "10*9/l": "10^9/L",
        "10e9/l": "10^9/L",
        "10⁹/l": "10^9/L",
        "x10⁹/l": "10^9/L",
        "×10⁹/l": "10^9/L",
        "kilogram": "kg",
        "kilograms": "kg",
        "kgs": "kg",
        "gram": "g",
        "grams": "g",
        "milligram": "mg",
        "milligrams": "mg",
        "lbs": "lb",
        "pound": "lb",
        "pounds": "lb",
        "centimetre": "cm",
        "centimetres": "cm",
        "centimeter": "cm",
        "centimeters": "cm",
        "metre": "m",
        "metres": "m",
        "meter": "m",
        "meters": "m",
        "inch": "in",
        "inches": "in",
        "percent": "%",
        "year": "years",
        "yr": "years",
        "yrs": "years",
        "y": "years",
        "month": "months",
        "mo": "months",
        "mos": "months",
        "week": "weeks",
        "wk": "weeks",
        "wks": "weeks",
        "day": "days",
        "d": "days",
        "mg/d": "mg/day",
        "mg/24h": "mg/day",
        "mg/daily": "mg/day",
        "ml/min/1.73m^2": "mL/min/1.73m2",
        "kg/m^2": "kg/m2",
        "g/cm^2": "g/cm2",
        "point": "points",
        "pts": "points",
        "drink/day": "drinks/day",
        "drinks/d": "drinks/day",
        "drinks per day": "drinks/day",
        "drink/week": "drinks/week",
        "drinks/wk": "drinks/week",
        "drinks per week": "drinks/week",
        "copies/ml": "copies/mL",
        "cp/ml": "copies/mL",
        "copies per mL": "copies/mL",
        "mm of Hg": "mmHg",
        "millimetres of mercury": "mmHg",
        "bpm": "beats/min",
        "beat/min": "beats/min",
        "beats/minute": "beats/min",
        "beats per minute": "beats/min",
        "breath/min": "breaths/min",
        "breaths/minute": "breaths/min",
        "breaths per minute": "breaths/min",
        "1/min": "/min",
        "min-1": "/min",
        "min^-1": "/min",
        "per minute": "/min",
        "/minute": "/min",
        "degC": "°C",
        "deg C": "°C",
        "C": "°C",
        "ºC": "°C",
        "celsius": "°C",
        "degrees Celsius": "°C",
        "degF": "°F",
        "deg F": "°F",
        "F": "°F",
        "ºF": "°F",
        "fahrenheit": "°F",
        "degrees Fahrenheit": "°F",
        "second": "s",
        "seconds": "s",
        "sec": "s",
        "secs": "s",
        "minute": "min",
        "minutes": "min",
        "mins": "min",
        "hour": "h",
        "hours": "h",
        "hr": "h",
        "hrs": "h",
    }
)

_WHITESPACE = re.compile(r"\s+")


def _fold(text: str) -> str:
    """Spelling-insensitive key: no spaces, lower case, micro as ``u``, ² as ``2``."""
    folded = _WHITESPACE.sub("", text).lower()
    # U+00B5 MICRO SIGN and U+03BC GREEK SMALL LETTER MU are both typed for "micro".
    return folded.replace("µ", "u").replace("μ", "u").replace("²", "2")


_CANONICAL_SET: frozenset[str] = frozenset(_CANONICAL_UNITS)
_LOOKUP: Mapping[str, str] = MappingProxyType(
    {_fold(unit): unit for unit in _CANONICAL_UNITS}
    | {_fold(alias): unit for alias, unit in _ALIASES.items()}
)


def spelling_key(text: str) -> str:
    """The key two spellings of one unit share (``"mm Hg"`` and ``"mmHg"``), for units
    the table does not know and keeps as written."""
    return _fold(text)


def normalise_unit(text: str) -> str:
    """The canonical spelling of ``text``: ``"umol/l"``, ``"μmol/L"`` → ``"µmol/L"``.

    Matching ignores case and whitespace and treats ``u``, ``µ`` (micro sign) and ``μ``
    (Greek mu) alike, and ``²``/``^2`` as ``2``. Case is ignored because no two units
    Eligo knows differ only by case (there is no mega-unit ``MU/L``).
    """
    # Most units arrive spelled canonically; only the others need folding.
    unit = text if text in _CANONICAL_SET else _LOOKUP.get(_fold(text))
    if unit is None:
        raise UnitError(f"unknown unit {text!r}; known units: {', '.join(_CANONICAL_UNITS)}")
    return unit


def _analyte_key(analyte: str) -> str:
    key = _WHITESPACE.sub("_", analyte.strip().lower()).replace("-", "_")
    return _ANALYTE_ALIASES.get(key, key)


_TABLE_ANALYTES: frozenset[str] = frozenset(c.analyte for c in CONVERSIONS if c.analyte)
_TIME_UNITS = frozenset({"years", "months", "weeks", "days"})
_ALCOHOL_UNITS = frozenset({"drinks/day", "drinks/week"})


def units_for(analyte: str) -> frozenset[str]:
    """Every unit in which values of ``analyte`` can be entered.

    Raises :class:`UnitError` for an analyte Eligo has no units for.
    """
    key = _analyte_key(analyte)
    if key in _TABLE_ANALYTES:
        return frozenset(
            unit for c in CONVERSIONS if c.analyte == key for unit in (c.from_unit, c.to_unit)
        )
    if key in _ASSAY_DEPENDENT:
        return _ASSAY_DEPENDENT[key][0]
    if key in _GENERIC_ENTRY_UNITS:
        return _GENERIC_ENTRY_UNITS[key]
    known = sorted(_TABLE_ANALYTES | _ASSAY_DEPENDENT.keys() | _GENERIC_ENTRY_UNITS.keys())
    raise UnitError(f"no units known for analyte {analyte!r}; known analytes: {', '.join(known)}")


_Edge = tuple[str, str, Conversion, bool]


def _edges_for(key: str | None) -> tuple[_Edge, ...]:
    """The table rows usable for analyte ``key``, each in both directions."""
    return tuple(
        (here, there, row, forward)
        for row in CONVERSIONS
        if row.analyte is None or row.analyte == key
        for here, there, forward in (
            (row.from_unit, row.to_unit, True),
            (row.to_unit, row.from_unit, False),
        )
    )


# Worked out once from the constant table: conversions run for every reading evaluated.
_GENERIC_EDGES = _edges_for(None)
_EDGES: Mapping[str, tuple[_Edge, ...]] = MappingProxyType(
    {key: _edges_for(key) for key in _TABLE_ANALYTES}
)


def _path(key: str | None, src: str, dst: str) -> list[tuple[Conversion, bool]] | None:
    """Shortest chain of table rows from ``src`` to ``dst`` (breadth-first).

    Each step is ``(row, forward?)``. Generic rows apply to every analyte; chaining lets
    ``lb → g`` or ``mU/L → pmol/L`` go through ``kg`` or ``µU/mL`` without extra rows.
    """
    edges = _GENERIC_EDGES if key is None else _EDGES.get(key, _GENERIC_EDGES)
    frontier: list[tuple[str, list[tuple[Conversion, bool]]]] = [(src, [])]
    seen = {src}
    while frontier:
        next_frontier: list[tuple[str, list[tuple[Conversion, bool]]]] = []
        for unit, steps in frontier:
            for here, there, row, forward in edges:
                if here != unit or there in seen:
                    continue
                chain = [*steps, (row, forward)]
                if there == dst:
                    return chain
                seen.add(there)
                next_frontier.append((there, chain))
        frontier = next_frontier
    return None


def _supplied_factor(
    factors: Mapping[tuple[str, str], Decimal] | None, src: str, dst: str
) -> tuple[Decimal, bool] | None:
    """The protocol's own factor for ``src → dst`` as ``(factor, multiply?)``, if given."""
    if not factors:
        return None
    for (a, b), factor in factors.items():
        pair = (normalise_unit(a), normalise_unit(b))
        if pair in ((src, dst), (dst, src)):
            if not isinstance(factor, Decimal) or not factor.is_finite() or factor <= 0:
                raise UnitError(f"the factor supplied for {a} → {b} must be a positive Decimal")
            return factor, pair == (src, dst)
    return None


def convert(
    value: Decimal,
    analyte: str | None,
    from_unit: str,
    to_unit: str,
    *,
    factors: Mapping[tuple[str, str], Decimal] | None = None,
) -> Decimal:
    """Convert ``value`` of ``analyte`` from ``from_unit`` to ``to_unit``, exactly.

    Identical units return ``value`` itself. A factor supplied in ``factors`` (keyed
    ``(from_unit, to_unit)``; the reverse direction divides) takes precedence over the
    table: it is how a protocol states an assay's IU ↔ copies factor, or insists on its own
    creatinine factor. Otherwise the table is used; see :data:`CONVERSIONS`.

    The result carries up to 40 significant digits; callers round.
    """
    src, dst = normalise_unit(from_unit), normalise_unit(to_unit)
    if src == dst:
        return value
    supplied = _supplied_factor(factors, src, dst)
    key = _analyte_key(analyte) if analyte is not None else None
    with exact_context():
        if supplied is not None:
            factor, multiply = supplied
            return value * factor if multiply else value / factor
        chain = _path(key, src, dst)
        if chain is not None:
            for row, forward in chain:
                value = row.forward(value) if forward else row.backward(value)
            return value
    raise UnitError(_refusal(analyte, key, src, dst))


def _refusal(analyte: str | None, key: str | None, src: str, dst: str) -> str:
    """Why ``src → dst`` cannot be converted, in words a coordinator understands."""
    name = analyte if analyte is not None else "a value with no analyte"
    if {src, dst} <= _TIME_UNITS:
        return (
            f"{name}: {src} and {dst} are not converted because months and years have no "
            "fixed length; compute durations from dates"
        )
    if {src, dst} & _ALCOHOL_UNITS:
        return (
            f"{name}: alcohol intake is not converted because a drink's size depends on the "
            "country (US 14 g, UK unit 8 g, WHO 10 g) and a daily limit is not a weekly "
            "average; record it in the protocol's unit"
        )
    assay = _ASSAY_DEPENDENT.get(key) if key is not None else None
    if assay is not None and {src, dst} <= assay[0]:
        return f"{name}: cannot convert {src} to {dst}: {assay[1]}"
    if key is not None and key in _TABLE_ANALYTES:
        allowed = ", ".join(sorted(units_for(key)))
        return f"{name}: no conversion from {src} to {dst}; {name} is entered in {allowed}"
    return f"{name}: no conversion from {src} to {dst}"


def can_convert(analyte: str | None, from_unit: str, to_unit: str) -> bool:
    """Whether :func:`convert` would succeed without a protocol-supplied factor.

    Unknown units give ``False`` rather than an error: the question has an answer.
    """
    try:
        src, dst = normalise_unit(from_unit), normalise_unit(to_unit)
    except UnitError:
        return False
    key = _analyte_key(analyte) if analyte is not None else None
    return src == dst or _path(key, src, dst) is not None
