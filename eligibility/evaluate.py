"""``evaluate(definition, facts, on)``: every criterion, then the overall status."""

from __future__ import annotations

from datetime import date

from eligibility.catalogue import Catalogue
from eligibility.definition import Criterion, ProtocolDefinition
from eligibility.facts import Exposure, Facts
from eligibility.logic import Tri
from eligibility.model import Context, Finding, MissingFact
from eligibility.nodes import evaluate_expr
from eligibility.quantities import resolve
from eligibility.result import (
    Condition,
    CriterionResult,
    DerivedValue,
    EvaluationResult,
    Outcome,
    Status,
)
from eligibility.textfmt import missing_words
from eligibility.version import ENGINE_VERSION
from eligibility.washout import change_dates, criterion_passes, first_date


def evaluate(definition: ProtocolDefinition, facts: Facts, on: date) -> EvaluationResult:
    """Evaluate ``definition`` for the candidate described by ``facts`` on the screening
    date ``on`` (the engine never reads the clock)."""
    ctx = Context(definition, facts, on, on)
    _check_codes(ctx)
    results = tuple(_criterion(ctx, c) for c in definition.criteria)
    status = _status(results)
    eligible_from = _overall_eligible_from(ctx, results) if status == "ineligible" else None
    return EvaluationResult(
        status=status,
        screening_date=on,
        engine_version=ENGINE_VERSION,
        trial_code=definition.trial_code,
        protocol_version=definition.version,
        criteria=results,
        eligible_from=eligible_from,
        warnings=tuple(dict.fromkeys(ctx.warnings)),
        derived=tuple(_derived(ctx, code) for code in definition.derived_codes),
    )


def _derived(ctx: Context, code: str) -> DerivedValue:
    """A derived quantity as the criteria read it (the same cached value)."""
    num = resolve(ctx, code)
    q = ctx.definition.catalogue.quantities[code]
    low, high = (None, None) if num.low_open or num.high_open else (num.low, num.high)
    return DerivedValue(code, q.label, q.unit, low, high, num.text, num.missing)


_CONDITION: dict[Tri, Condition] = {Tri.TRUE: "true", Tri.FALSE: "false", Tri.UNKNOWN: "unknown"}


def _rule_value(ctx: Context, criterion: Criterion) -> Tri:
    return evaluate_expr(ctx, criterion.rule).value


def _outcome(kind: str, finding: Finding) -> Outcome:
    if finding.value is Tri.UNKNOWN:
        only_judgment = bool(finding.missing) and all(m.kind == "judgment" for m in finding.missing)
        return "needs_review" if only_judgment else "unknown"
    holds = finding.value is Tri.TRUE
    return "met" if holds == (kind == "inclusion") else "not_met"


def _criterion(ctx: Context, criterion: Criterion) -> CriterionResult:
    finding = evaluate_expr(ctx, criterion.rule)
    outcome = _outcome(criterion.kind, finding)
    eligible_from = None
    depends_on: tuple[MissingFact, ...] = ()
    if outcome == "not_met":
        eligible_from = first_date(ctx, criterion.rule, criterion_passes(_rule_value, criterion))
        if eligible_from is not None:
            depends_on = _undecided_before(ctx, criterion, eligible_from)
    return CriterionResult(
        id=criterion.id,
        kind=criterion.kind,
        text=criterion.text,
        rule=criterion.rule_text,
        condition=_CONDITION[finding.value],
        outcome=outcome,
        summary=_summary(criterion, finding, outcome, eligible_from, depends_on),
        reasons=finding.reasons,
        missing=finding.missing if finding.value is Tri.UNKNOWN else (),
        eligible_from=eligible_from,
        eligible_from_depends_on=depends_on,
    )


def _undecided_before(
    ctx: Context, criterion: Criterion, eligible_from: date
) -> tuple[MissingFact, ...]:
    """The facts whose absence makes ``eligible_from`` a latest date rather than the date.

    ``eligible_from`` is the first date on which the criterion certainly passes. If on an
    earlier date its value is unknown (a course with no stop date may have ended long
    before screening), the true date may be earlier and depends on what is missing. The
    value only changes at the change dates, so those before ``eligible_from`` and the day
    before it are enough to look at.
    """
    dates, _ = change_dates(ctx, criterion.rule)
    day_before = date.fromordinal(eligible_from.toordinal() - 1)
    for d in sorted({*(d for d in dates if d < eligible_from), day_before}):
        if d <= ctx.screening:
            continue
        finding = evaluate_expr(ctx.at(d), criterion.rule)
        if finding.value is Tri.UNKNOWN:
            return finding.missing
    return ()


def _summary(
    criterion: Criterion,
    finding: Finding,
    outcome: Outcome,
    eligible_from: date | None,
    depends_on: tuple[MissingFact, ...] = (),
) -> str:
    because = "; ".join(finding.reasons) or "no reason recorded"
    if outcome == "needs_review":
        return "Needs investigator review: " + "; ".join(m.label for m in finding.missing)
    if outcome == "unknown":
        return "Unknown: missing " + "; ".join(
            missing_words(m.label, m.reason) for m in finding.missing
        )
    if criterion.kind == "exclusion":
        head = "Excluded" if outcome == "not_met" else "Not excluded"
    else:
        head = "Met" if outcome == "met" else "Not met"
    tail = f"; eligible from {eligible_from}" if eligible_from else ""
    if eligible_from and depends_on:
        facts = "; ".join(missing_words(m.label, m.reason) for m in depends_on)
        tail += f" at the latest, possibly earlier: the date depends on missing {facts}"
    return f"{head}: {because}{tail}"


def _status(results: tuple[CriterionResult, ...]) -> Status:
    outcomes = {r.outcome for r in results}
    if "not_met" in outcomes:
        return "ineligible"
    if "unknown" in outcomes:
        return "incomplete"
    if "needs_review" in outcomes:
        return "needs_review"
    return "eligible"


def _overall_eligible_from(ctx: Context, results: tuple[CriterionResult, ...]) -> date | None:
    """The first date on which no criterion blocks, if every blocking criterion has one."""
    blocking = [r for r in results if r.blocks]
    dates = [r.eligible_from for r in blocking]
    if not dates or any(d is None for d in dates):
        return None
    earliest = max(d for d in dates if d is not None)
    criteria = ctx.definition.criteria

    def clear(at: Context) -> bool:
        return all(_outcome(c.kind, evaluate_expr(at, c.rule)) != "not_met" for c in criteria)

    if clear(ctx.at(earliest)):
        return earliest
    later = sorted({d for c in criteria for d in _change_after(ctx, c, earliest)})
    return next((d for d in later if clear(ctx.at(d))), None)


def _change_after(ctx: Context, criterion: Criterion, after: date) -> list[date]:
    dates, _ = change_dates(ctx, criterion.rule)
    return [d for d in dates if d > after]


def _check_codes(ctx: Context) -> None:
    """Facts the catalogue does not know are reported, never silently read as absent."""
    cat = ctx.definition.catalogue
    for reading in ctx.facts.readings:
        if reading.code not in cat.quantities:
            ctx.warnings.append(f"{reading.path}: unknown quantity {reading.code!r} was ignored")
    for event in ctx.facts.history or ():
        if event.code not in cat.event_types:
            ctx.warnings.append(f"{event.path}: unknown event type {event.code!r} was ignored")
            continue
        for key, value in sorted(event.details.items()):
            field = cat.event_types[event.code].detail(key)
            if (
                field
                and field.values
                and value.casefold() not in {v.casefold() for v in field.values}
            ):
                ctx.warnings.append(
                    f"{event.path}.details.{key}: {value!r} is not a declared value "
                    f"(allowed: {', '.join(field.values)})"
                )
    for e in ctx.facts.medications or ():
        ctx.warnings.extend(_unknown_in_exposure(cat, e))
    for code in ctx.facts.answers:
        if code not in cat.questions:
            ctx.warnings.append(f"answers.{code}: unknown question was ignored")
    ctx.warnings.extend(
        f"reference_dates.{code}: not a reference date of this protocol"
        for code in ctx.facts.reference_dates
        if code not in cat.reference_dates
    )
    for code in ctx.facts.judgments:
        if code not in cat.questions or cat.questions[code].kind != "judgment":
            ctx.warnings.append(
                f"judgments.{code}: not an investigator judgment of this protocol; ignored"
            )


def _unknown_in_exposure(cat: Catalogue, e: Exposure) -> list[str]:
    """What the catalogue does not know about one exposure: its drug, class or route."""
    warnings = []
    if e.drug is not None and e.drug not in cat.drugs:
        how = "classified by its ATC code" if e.atc else "it may belong to any class"
        warnings.append(f"{e.path}: drug {e.drug!r} is not in the catalogue; {how}")
    if e.drug_class is not None and e.drug_class not in cat.drug_classes:
        warnings.append(f"{e.path}: unknown drug class {e.drug_class!r} was ignored")
    if e.route is not None and e.route not in cat.routes:
        warnings.append(f"{e.path}: unknown route {e.route!r}")
    return warnings
