"""Rule text → syntax tree, by recursive descent; never ``eval``.

The grammar is in ``docs/rule-language.md``. Parsing also binds: every name must be in the
catalogue, every unit must fit its quantity, and thresholds are converted to the
quantity's canonical unit and rounded half-up to its precision, so a definition that
loads is a definition that evaluates.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Literal, cast

from eligibility.catalogue import Catalogue, Quantity
from eligibility.lexer import Token
from eligibility.parse_base import COUNT
from eligibility.parse_terms import TermsParser
from eligibility.render import render_value
from eligibility.rules import (
    Amount,
    And,
    AtLeast,
    Between,
    BySex,
    Compare,
    CumulativeUse,
    CurrentUse,
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
    Pos,
    QuantityRef,
    RangeCheck,
    Recorded,
    Threshold,
    Value,
)
from eligibility.unitsupport import Factors


def parse_rule(text: str, catalogue: Catalogue, factors: Factors | None = None) -> Expr:
    """Parse and bind one rule; raises :class:`~eligibility.errors.RuleError`."""
    return _Parser(text, catalogue, factors).parse()


class _Parser(TermsParser):
    def parse(self) -> Expr:
        if self.at("end"):
            self.fail("the rule is empty")
        e = self.expr()
        if not self.at("end"):
            self.fail(f"unexpected {self.peek().describe()}; expected 'and', 'or' or the end")
        return e

    def expr(self) -> Expr:
        with self.nested():
            items = [self.conjunction()]
            while self.is_word("or"):
                self.advance()
                items.append(self.conjunction())
        return items[0] if len(items) == 1 else Or(tuple(items))

    def conjunction(self) -> Expr:
        items = [self.unary()]
        while self.is_word("and"):
            self.advance()
            items.append(self.unary())
        return items[0] if len(items) == 1 else And(tuple(items))

    def unary(self) -> Expr:
        if self.is_word("not"):
            self.advance()
            with self.nested():
                return Not(self.unary())
        return self.primary()

    def expr_list(self) -> tuple[Expr, ...]:
        self.expect("punct", "(")
        items = [self.expr()]
        while self.at("punct", ","):
            self.advance()
            items.append(self.expr())
        self.expect("punct", ")")
        return tuple(items)

    def primary(self) -> Expr:
        tok = self.peek()
        pos = Pos(tok.line, tok.column)
        if self.at("punct", "("):
            self.advance()
            e = self.expr()
            self.expect("punct", ")")
            return e
        for first, second, construct in _LEADING_WORDS:
            if self.is_word(*first) and self.is_word(second, k=1):
                return construct(self, pos)
        if tok.kind == "word" and self.is_word("is", k=1):
            return self.is_condition(pos)
        return self.comparison(pos)

    # -- constructs that open with two words -------------------------------------------

    def quantifier(self, pos: Pos) -> Expr:
        """``any of (…)``, ``all of (…)``, ``none of (…)``."""
        word = self.advance().text.lower()
        self.advance()
        items = self.expr_list()
        if word == "all":
            return items[0] if len(items) == 1 else And(items)
        either = items[0] if len(items) == 1 else Or(items)
        return Not(either) if word == "none" else either

    def at_least(self, pos: Pos) -> AtLeast:
        tok = self.advance()
        self.advance()
        n = self.integer("how many")
        self.expect_word("of")
        items = self.expr_list()
        if n > len(items):
            self.fail(f"'at least {n} of' needs at least {n} conditions, found {len(items)}", tok)
        return AtLeast(n, items)

    def history_of(self, pos: Pos) -> HistoryOf:
        self.advance()
        self.advance()
        return HistoryOf(self.event_selector(), pos)

    def last_dose(self, pos: Pos) -> LastDose:
        self.advance()
        self.advance()
        self.expect_word("of")
        drugs = self.drug_selector()
        window = self.dose_window("'last dose of'")
        if window is None:
            self.fail("'last dose of' needs a window: within N months before screening")
        return LastDose(drugs, window, pos)

    def any_use(self, pos: Pos) -> LastDose:
        self.advance()
        self.advance()
        self.expect_word("of")
        return LastDose(self.drug_selector(), None, pos)

    def current_use(self, pos: Pos) -> CurrentUse:
        self.advance()
        self.advance()
        self.expect_word("of")
        return CurrentUse(self.drug_selector(), pos)

    # -- answers, sex, qualitative results ---------------------------------------------

    def is_condition(self, pos: Pos) -> Is | Recorded:
        tok = self.name("a question, 'sex' or a qualitative result")
        code = tok.text
        if self.is_word("recorded", k=1) or (
            self.is_word("not", k=1) and self.is_word("recorded", k=2)
        ):
            return self.recorded(tok, pos)
        allowed: tuple[str, ...]
        if code == "sex":
            allowed = ("female", "male")
        elif code in self.cat.questions:
            allowed = ("yes", "no")
        elif code in self.cat.quantities and self.cat.quantities[code].is_qualitative:
            allowed = self.cat.quantities[code].qualitative
        elif code in self.cat.quantities:
            self.fail(f"{code} is a number; compare it (e.g. {code} > …) instead of 'is'", tok)
        else:
            names = [*self.cat.questions, *self.cat.quantities, "sex"]
            self.fail(f"unknown question or result {code!r}", tok, among=names)
        self.advance()  # 'is'
        if self.is_word("one") and self.is_word("of", k=1):
            self.advance()
            self.advance()
            self.expect("punct", "(")
            values = [self.is_value(allowed)]
            while self.at("punct", ","):
                self.advance()
                values.append(self.is_value(allowed))
            self.expect("punct", ")")
            return Is(code, tuple(values), pos)
        return Is(code, (self.is_value(allowed),), pos)

    def recorded(self, tok: Token, pos: Pos) -> Recorded:
        """``NAME is recorded`` / ``NAME is not recorded``."""
        code = tok.text
        cat = self.cat
        if not any(code in names for names in (cat.quantities, cat.questions, cat.reference_dates)):
            self.fail(
                f"unknown quantity, question or reference date {code!r}; "
                "'is recorded' names one of them",
                tok,
            )
        self.advance()  # 'is'
        negated = self.is_word("not")
        if negated:
            self.advance()
        self.advance()  # 'recorded'
        return Recorded(code, not negated, pos)

    def is_value(self, allowed: tuple[str, ...]) -> str:
        tok = self.peek()
        if tok.kind != "word" or tok.text not in allowed:
            self.fail(f"expected {', '.join(allowed)}, found {tok.describe()}", among=allowed)
        return self.advance().text

    # -- values ------------------------------------------------------------------------

    def value(self) -> Value:
        tok = self.peek()
        if self.is_word("min", "max") and self.at_next_punct("("):
            word = self.advance().text.lower()
            self.advance()
            with self.nested():
                items = [self.value()]
                while self.at("punct", ","):
                    self.advance()
                    items.append(self.value())
            self.expect("punct", ")")
            units_seen = {self.value_unit(i) for i in items}
            if len(units_seen) > 1:
                self.fail(
                    f"{word}() needs values in one unit, found "
                    + ", ".join(sorted(u or "(no unit)" for u in units_seen)),
                    tok,
                )
            return MinOf(tuple(items)) if word == "min" else MaxOf(tuple(items))
        if self.is_word("cumulative") and self.is_word("use", k=1):
            self.advance()
            self.advance()
            self.expect_word("of")
            return CumulativeUse(self.drug_selector(), self.dose_window("'cumulative use of'"))
        if self.is_word("count") and self.is_word("of", k=1):
            self.advance()
            self.advance()
            events = self.event_selector()
            distinct = None
            if self.is_word("by"):
                self.advance()
                self.expect_word("distinct")
                dtok = self.name("an event detail")
                if self.cat.event_types[events.code].detail(dtok.text) is None:
                    details = [d.code for d in self.cat.event_types[events.code].details]
                    self.fail(f"{events.code} has no detail {dtok.text!r}", dtok, among=details)
                distinct = dtok.text
            return EventCount(events, distinct)
        name = self.name("a quantity")
        q = self.cat.quantities.get(name.text)
        if q is None:
            self.fail(f"unknown quantity {name.text!r}", name, among=self.cat.quantities)
        if q.is_qualitative:
            self.fail(
                f"{q.code} is a qualitative result; write '{q.code} is {q.qualitative[0]}'", name
            )
        return QuantityRef(q.code, Pos(name.line, name.column))

    def at_next_punct(self, text: str) -> bool:
        tok = self.peek(1)
        return tok.kind == "punct" and tok.text == text

    def value_quantity(self, v: Value) -> Quantity | None:
        return quantity_of(self.cat, v)

    def value_unit(self, v: Value) -> str:
        q = self.value_quantity(v)
        return "days" if q is None else q.unit

    # -- comparisons -------------------------------------------------------------------

    def comparison(self, pos: Pos) -> Expr:
        left = self.value()
        tok = self.peek()
        if tok.kind == "op":
            self.advance()
            return Compare(left, cast(Op, tok.text), self.threshold(left), pos)
        if self.is_word("between"):
            self.advance()
            return self.between(left, pos)
        for words, kind in (
            (("below", "lln"), "below_lln"),
            (("above", "uln"), "above_uln"),
            (("outside", "reference", "range"), "outside"),
            (("within", "reference", "range"), "within"),
        ):
            if all(self.is_word(w, k=j) for j, w in enumerate(words)):
                ref = self.lab_ref(left, tok)
                for _ in words:
                    self.advance()
                return RangeCheck(ref, kind, pos)  # type: ignore[arg-type]
        self.fail(
            f"expected a comparison (<, <=, >, >=, =, between, below LLN, above ULN, "
            f"outside reference range) after {_describe(left)}, found {tok.describe()}"
        )

    def lab_ref(self, left: Value, tok: Token) -> QuantityRef:
        if not isinstance(left, QuantityRef) or self.cat.quantities[left.code].kind != "lab":
            self.fail("a reference range belongs to a single laboratory test", tok)
        return left

    def threshold(self, left: Value) -> Threshold:
        q = self.value_quantity(left)
        if q is None:
            return self.duration()
        if self.at("punct", "(") and self.is_word("male", "female", k=1):
            return self.by_sex(q)
        tok = self.peek()
        if self.is_word("uln", "lln"):
            self.lab_ref(left, tok)
            limit = cast(Literal["ULN", "LLN"], self.advance().text.upper())
            return LimitMultiple(Decimal(1), limit)
        if tok.kind == "number" and (self.is_word("x", k=1) or self.peek(1).kind == "times"):
            self.lab_ref(left, tok)
            self.advance()
            self.advance()
            limit = cast(Literal["ULN", "LLN"], self.expect_word("uln", "lln").text.upper())
            return LimitMultiple(Decimal(tok.text), limit)
        return self.amount(q, self.raw())

    def by_sex(self, q: Quantity) -> BySex:
        self.expect("punct", "(")
        found: dict[str, Amount] = {}
        while True:
            tok = self.expect_word("male", "female")
            if tok.text in found:
                self.fail(f"{tok.text} is given twice", tok)
            self.expect("punct", ":")
            found[tok.text] = self.amount(q, self.raw())
            if not self.at("punct", ","):
                break
            self.advance()
        self.expect("punct", ")")
        return BySex(female=found.get("female"), male=found.get("male"))

    def between(self, left: Value, pos: Pos) -> Between:
        q = self.value_quantity(left)
        if q is None:
            self.fail("use >= and <= with durations")
        low_raw = self.raw()
        self.expect_word("and")
        high_raw = self.raw()
        low = self.amount(q, low_raw, high_raw.unit)
        high = self.amount(q, high_raw, low_raw.unit)
        if low.value > high.value:
            self.fail(
                f"the lower bound {low.written} is above the upper bound {high.written}",
                low_raw.token,
            )
        inclusive = True
        if self.is_word("exclusive"):
            self.advance()
            inclusive = False
        return Between(left, low, high, inclusive, pos)

    # -- time --------------------------------------------------------------------------


# The constructs recognised by their first two words, tried in this order ("any of"
# before "any use of"); anything else is an "is" condition or a comparison.
_LEADING_WORDS: tuple[tuple[tuple[str, ...], str, Callable[[_Parser, Pos], Expr]], ...] = (
    (("any", "all", "none"), "of", _Parser.quantifier),
    (("at",), "least", _Parser.at_least),
    (("history",), "of", _Parser.history_of),
    (("last",), "dose", _Parser.last_dose),
    (("any",), "use", _Parser.any_use),
    (("current",), "use", _Parser.current_use),
    (("use",), "of", _Parser.sustained),
)


def _describe(v: Value) -> str:
    return repr(render_value(v))


def quantity_of(cat: Catalogue, v: Value) -> Quantity | None:
    """The quantity ``v`` is measured in, which fixes the unit its thresholds are written
    in; ``None`` for a length of time (cumulative use), compared with durations."""
    return _QUANTITY_OF[type(v)](cat, v)


def _catalogued(cat: Catalogue, v: QuantityRef) -> Quantity:
    return cat.quantities[v.code]


def _first_item(cat: Catalogue, v: MinOf | MaxOf) -> Quantity | None:
    # The parser has checked that every item of min()/max() is in one unit.
    return quantity_of(cat, v.items[0])


def _days(cat: Catalogue, v: CumulativeUse) -> None:
    return None


def _count(cat: Catalogue, v: EventCount) -> Quantity:
    return COUNT


_QUANTITY_OF: Mapping[type, Callable[[Catalogue, Any], Quantity | None]] = MappingProxyType(
    {
        QuantityRef: _catalogued,
        MinOf: _first_item,
        MaxOf: _first_item,
        CumulativeUse: _days,
        EventCount: _count,
    }
)
