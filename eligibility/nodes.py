"""Evaluating one rule: every node gives a Kleene value, its reasons and what it lacks."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from decimal import Decimal
from typing import Any

from eligibility import applicability, doses, exposures, history, recorded
from eligibility.logic import Tri, t_and, t_at_least, t_not, t_or
from eligibility.model import Context, Finding, MissingFact, Num, duration_days
from eligibility.quantities import resolve, unknown, usable_readings
from eligibility.rules import (
    Amount,
    And,
    AtLeast,
    Between,
    BySex,
    Compare,
    CumulativeUse,
    CurrentUse,
    Duration,
    EventCount,
    Expr,
    HistoryOf,
    Is,
    LastDose,
    LimitMultiple,
    MaxOf,
    MinOf,
    Not,
    Op,
    Or,
    QuantityRef,
    RangeCheck,
    Recorded,
    SustainedDose,
    Value,
)
from eligibility.textfmt import (
    SYMBOL,
    amount_text,
    limit_days_text,
    number_text,
    range_text,
    ratio_text,
    relation,
    unit_words,
    with_unit,
)


def evaluate_expr(ctx: Context, e: Expr) -> Finding:
    # One dictionary lookup by the node's exact type (every node class is final).
    return _EVALUATORS[type(e)](ctx, e)


def _not(ctx: Context, e: Not) -> Finding:
    inner = evaluate_expr(ctx, e.item)
    return Finding(t_not(inner.value), inner.reasons, inner.missing, inner.inapplicable)


def _combine(ctx: Context, e: And | Or | AtLeast) -> Finding:
    parts = [evaluate_expr(ctx, item) for item in e.items]
    values = [p.value for p in parts]
    if isinstance(e, And):
        value, decisive = t_and(values), Tri.FALSE
    elif isinstance(e, Or):
        value, decisive = t_or(values), Tri.TRUE
    else:
        value = t_at_least(e.n, values)
        decisive = value
    if value is Tri.UNKNOWN:
        chosen = [p for p in parts if p.value is not Tri.FALSE or isinstance(e, AtLeast)]
    elif value is decisive:
        chosen = [p for p in parts if p.value is value]
        chosen = [p for p in chosen if not p.inapplicable] or chosen
    else:
        chosen = parts
    missing = (
        _merge(p.missing for p in parts if p.value is Tri.UNKNOWN) if value is Tri.UNKNOWN else ()
    )
    reasons = tuple(dict.fromkeys(r for p in chosen for r in p.reasons))
    if isinstance(e, AtLeast):
        true = values.count(Tri.TRUE)
        reasons = (f"{true} of {len(values)} conditions hold (at least {e.n} needed)", *reasons)
    inapplicable = value is not Tri.UNKNOWN and all(p.inapplicable for p in chosen)
    return Finding(value, reasons, missing, inapplicable)


def _merge(groups: Iterable[tuple[MissingFact, ...]]) -> tuple[MissingFact, ...]:
    return tuple(dict.fromkeys(m for g in groups for m in g))


def value_of(ctx: Context, v: Value) -> Num:
    """The value ``v`` for this candidate: exact, within bounds, or unknown with why."""
    return _VALUES[type(v)](ctx, v)


def _quantity(ctx: Context, v: QuantityRef) -> Num:
    return resolve(ctx, v.code)


def _extreme(ctx: Context, v: MinOf | MaxOf) -> Num:
    """min()/max() with bounds: the lowest of several values is at most the lowest known
    one even when others are missing; a censored value takes part by its interval."""
    items = [value_of(ctx, i) for i in v.items]
    if isinstance(v, MinOf):
        low, low_open = _edge(items, "low", every=True, pick=min)
        high, high_open = _edge(items, "high", every=False, pick=min)
        word = "lowest"
    else:
        low, low_open = _edge(items, "low", every=False, pick=max)
        high, high_open = _edge(items, "high", every=True, pick=max)
        word = "highest"
    unit = items[0].unit
    text = "; ".join(n.text for n in items)
    num = Num(low, high, text, unit, word, _merge(n.missing for n in items), None)
    num = replace(num, low_open=low_open, high_open=high_open)
    if num.exact is not None:
        return replace(num, text=f"{word} {with_unit(num.exact, unit)} ({text})", missing=())
    return num


def _edge(
    items: list[Num], side: str, *, every: bool, pick: Callable[[list[Decimal]], Decimal]
) -> tuple[Decimal | None, bool]:
    """One bound of min()/max() and whether it is excluded. ``every``: the bound needs
    every item's (the lower bound of a minimum); otherwise the known ones decide. The
    bound is excluded when the items that reach it exclude it: all of them for a bound
    that needs every item, any one of them otherwise."""
    edges = [(getattr(n, side), getattr(n, f"{side}_open")) for n in items]
    known = [(x, o) for x, o in edges if x is not None]
    if not known or (every and len(known) < len(edges)):
        return None, False
    chosen = pick([x for x, _ in known])
    opens = [o for x, o in known if x == chosen]
    return chosen, all(opens) if every else any(opens)


def _bounds(num: Num, op: Op, limit: Decimal) -> Tri:
    """``num op limit`` for every value ``num`` allows (true), for none (false), or for
    some (unknown). A bound ``num`` excludes (``low_open``/``high_open``) is never
    reached: ``<20`` is below 20 and not at most 19."""
    if op == "=":
        return _equals(num, limit)
    if op in ("<", "<="):
        return _below(num, limit, strict=op == "<")
    return t_not(_below(num, limit, strict=op == ">="))


def _below(num: Num, limit: Decimal, *, strict: bool) -> Tri:
    """Every allowed value is below ``limit`` (``strict``) or at most ``limit``."""
    low, high = num.low, num.high
    if high is not None and (high < limit or (high == limit and (num.high_open or not strict))):
        return Tri.TRUE
    if low is not None and (low > limit or (low == limit and (num.low_open or strict))):
        return Tri.FALSE
    return Tri.UNKNOWN


def _equals(num: Num, limit: Decimal) -> Tri:
    if num.exact is not None:
        return Tri.of(num.exact == limit)
    low, high = num.low, num.high
    if low is not None and (low > limit or (low == limit and num.low_open)):
        return Tri.FALSE
    if high is not None and (high < limit or (high == limit and num.high_open)):
        return Tri.FALSE
    return Tri.UNKNOWN


def _unknown(num: Num, extra: str = "") -> Finding:
    return Finding(Tri.UNKNOWN, (num.text + extra,), num.missing)


def _compare(ctx: Context, e: Compare) -> Finding:
    return _THRESHOLDS[type(e.right)](ctx, value_of(ctx, e.left), e.op, e.right)


def _against_sex(ctx: Context, num: Num, op: Op, right: BySex) -> Finding:
    sex = ctx.facts.sex
    if sex is None:
        return Finding(
            Tri.UNKNOWN,
            ("Sex not recorded, so the sex-specific limit is unknown",),
            (MissingFact("sex", "Sex", "sex", "sex not recorded"),),
        )
    chosen = right.female if sex == "F" else right.male
    if chosen is None:
        return Finding(Tri.UNKNOWN, (f"The protocol gives no limit for sex {sex}",))
    found = _against_amount(ctx, num, op, chosen)
    who = "women" if sex == "F" else "men"
    return Finding(
        found.value, tuple(f"{r} (limit for {who})" for r in found.reasons), found.missing
    )


def _against_duration(ctx: Context, num: Num, op: Op, right: Duration) -> Finding:
    limit = duration_days(right)
    value = _bounds(num, op, limit)
    limit_text = unit_words(right.amount, right.unit)
    if value is Tri.UNKNOWN:
        return _unknown(num, f"; limit {SYMBOL[op]} {limit_text}")
    return Finding(
        value,
        (f"{num.text} {relation(op, value is Tri.TRUE)} {limit_text} ({limit_days_text(limit)})",),
    )


def _against_amount(ctx: Context, num: Num, op: Op, a: Amount) -> Finding:
    value = _bounds(num, op, a.value)
    if value is Tri.UNKNOWN:
        return _unknown(num, f"; limit {SYMBOL[op]} {amount_text(a)}")
    return Finding(value, (f"{num.text} {relation(op, value is Tri.TRUE)} {amount_text(a)}",))


def _against_limit(ctx: Context, num: Num, op: Op, right: LimitMultiple) -> Finding:
    word = "upper" if right.limit == "ULN" else "lower"
    if num.exact is None and num.comparator is None:
        return _unknown(num)
    limit = None if num.ref is None else (num.ref.uln if right.limit == "ULN" else num.ref.lln)
    if limit is None or limit <= 0:
        reason = f"{num.text}: no {word} limit of normal given, so × {right.limit} is unknown"
        return Finding(
            Tri.UNKNOWN,
            (reason,),
            (
                MissingFact(
                    num.label.lower().replace(" ", "_"),
                    f"{num.label} reference range",
                    "reference_range",
                    f"{right.limit} of the candidate's reference range not given",
                ),
            ),
        )
    threshold = right.factor * limit
    value = _bounds(num, op, threshold)
    unit = num.unit
    factor = number_text(right.factor.normalize())
    # A censored value has no ratio to the limit: its bound is compared with it.
    if num.exact is None:
        ratio = f" ({right.limit} {with_unit(limit, unit)})"
    else:
        ratio = f" = {ratio_text(num.exact, limit)} × {right.limit} ({with_unit(limit, unit)})"
    reason = (
        f"{num.text}{ratio}; limit {SYMBOL[op]} {factor} × {right.limit} "
        f"({with_unit(threshold.normalize(), unit)})"
    )
    if value is Tri.UNKNOWN:
        return Finding(value, (reason,), num.missing)
    return Finding(value, (reason,))


def _between(ctx: Context, e: Between) -> Finding:
    num = value_of(ctx, e.left)
    low_op: Op = ">=" if e.inclusive else ">"
    high_op: Op = "<=" if e.inclusive else "<"
    value = t_and((_bounds(num, low_op, e.low.value), _bounds(num, high_op, e.high.value)))
    span = f"{amount_text(e.low)} and {amount_text(e.high)}"
    kind = "inclusive" if e.inclusive else "exclusive"
    if value is Tri.UNKNOWN:
        return _unknown(num, f"; range {span} ({kind})")
    verb = "is between" if value is Tri.TRUE else "is not between"
    return Finding(value, (f"{num.text} {verb} {span} ({kind})",))


def _range_check(ctx: Context, e: RangeCheck) -> Finding:
    num = resolve(ctx, e.left.code)
    if num.exact is None and num.comparator is None:
        return _unknown(num)
    ref = num.ref
    lln = ref.lln if ref else None
    uln = ref.uln if ref else None
    need_low = e.check in ("below_lln", "outside", "within")
    need_high = e.check in ("above_uln", "outside", "within")
    below = Tri.UNKNOWN if lln is None else _bounds(num, "<", lln)
    above = Tri.UNKNOWN if uln is None else _bounds(num, ">", uln)
    parts = [p for p, needed in ((below, need_low), (above, need_high)) if needed]
    value = t_or(parts)
    if e.check == "within":
        value = t_not(value)
    shown = range_text(lln, uln, num.unit)
    source = f", {ref.source}" if ref and ref.source else ""
    if value is Tri.UNKNOWN:
        lacking = [n for n, limit in ((need_low, lln), (need_high, uln)) if n and limit is None]
        return Finding(
            value,
            (f"{num.text}: reference range {shown}{source}",),
            (
                MissingFact(
                    e.left.code,
                    f"{num.label} reference range",
                    "reference_range",
                    "reference range not given",
                ),
            )
            if lacking
            else num.missing,
        )
    where = "below" if below is Tri.TRUE else "above" if above is Tri.TRUE else "within"
    return Finding(value, (f"{num.text} is {where} the reference range {shown}{source}",))


def _is(ctx: Context, e: Is) -> Finding:
    cat = ctx.definition.catalogue
    expected = " or ".join(e.values)
    if e.subject == "sex":
        sex = ctx.facts.sex
        if sex is None:
            return Finding(
                Tri.UNKNOWN,
                ("Sex not recorded",),
                (MissingFact("sex", "Sex", "sex", "sex not recorded"),),
            )
        word = "female" if sex == "F" else "male"
        return Finding(Tri.of(word in e.values), (f"Sex is {word}",))
    if e.subject in cat.questions:
        q = cat.questions[e.subject]
        found = applicability.given(ctx, q)
        answer = found.answer
        who = "Investigator judgment" if q.kind == "judgment" else "Answer"
        if found.note:
            return Finding(
                Tri.of(answer in e.values),
                (f"{who} to “{q.text}”: {answer} ({found.note})",),
                inapplicable=not found.applies,
            )
        if answer is None or answer == "unknown":
            state = "not yet given" if answer is None else "given as unknown"
            return Finding(
                Tri.UNKNOWN,
                (f"{who} to “{q.text}” {state}",),
                (MissingFact(q.code, q.text, q.kind, state),),
            )
        return Finding(Tri.of(answer in e.values), (f"{who} to “{q.text}”: {answer}",))
    quantity = cat.quantities[e.subject]
    readings, notes = usable_readings(ctx, quantity)
    for reading in readings:
        if reading.result in quantity.qualitative:
            return Finding(
                Tri.of(reading.result in e.values),
                (f"{quantity.label} {reading.result} on {reading.on} (checked for {expected})",),
            )
        notes.append(
            f"{quantity.label} on {reading.on} is {reading.result or 'not given'}, "
            "which does not decide"
        )
    num = unknown(quantity, "; ".join(notes) or f"{quantity.label} not recorded")
    return _unknown(num)


_EVALUATORS: dict[type, Callable[[Context, Any], Finding]] = {
    And: _combine,
    Or: _combine,
    AtLeast: _combine,
    Not: _not,
    Compare: _compare,
    Between: _between,
    RangeCheck: _range_check,
    Is: _is,
    Recorded: recorded.recorded,
    HistoryOf: history.history_of,
    LastDose: exposures.last_dose,
    CurrentUse: exposures.current_use,
    SustainedDose: doses.sustained,
}

_VALUES: dict[type, Callable[[Context, Any], Num]] = {
    QuantityRef: _quantity,
    MinOf: _extreme,
    MaxOf: _extreme,
    CumulativeUse: exposures.cumulative,
    EventCount: history.count,
}

_THRESHOLDS: dict[type, Callable[[Context, Num, Op, Any], Finding]] = {
    Amount: _against_amount,
    LimitMultiple: _against_limit,
    BySex: _against_sex,
    Duration: _against_duration,
}
