"""Token cursor and the shared pieces of the rule grammar: numbers with units, durations
and windows."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import NoReturn, cast

from eligibility import units
from eligibility.catalogue import Catalogue, Limits, Quantity
from eligibility.errors import RuleError
from eligibility.hints import did_you_mean, keyword_hint
from eligibility.lexer import Token, tokenize
from eligibility.rules import (
    SCREENING_ANCHOR,
    TIME_UNITS,
    Amount,
    Anchor,
    Duration,
    Side,
    TimeUnit,
    Window,
    WindowKind,
)
from eligibility.unitsupport import Factors, canonical_unit, decimals, quantize, to_canonical

KEYWORDS = frozenset(
    {
        "and",
        "or",
        "not",
        "of",
        "any",
        "all",
        "none",
        "at",
        "least",
        "history",
        "last",
        "dose",
        "current",
        "use",
        "cumulative",
        "count",
        "by",
        "distinct",
        "where",
        "in",
        "is",
        "one",
        "within",
        "before",
        "after",
        "screening",
        "recorded",
        "the",
        "between",
        "exclusive",
        "below",
        "above",
        "outside",
        "reference",
        "range",
        "x",
        "min",
        "max",
        "for",
        "ongoing",
        "prednisolone-equivalent",
        "more",
        "than",
        "uln",
        "lln",
    }
)
_TIME_WORDS: dict[str, TimeUnit] = {u: u for u in TIME_UNITS} | {u[:-1]: u for u in TIME_UNITS}
DAILY_DOSE = Quantity(
    code="daily_dose",
    label="daily dose",
    unit="mg/day",
    units=("mg/day",),
    precision=3,
    kind="measurement",
    section="medications",
    hard=Limits(),
    soft=Limits(),
    analyte="daily_dose",
)
COUNT = Quantity(
    code="count",
    label="count",
    unit="",
    units=("",),
    precision=0,
    kind="derived",
    section="history",
    hard=Limits(),
    soft=Limits(),
)


MAX_NESTING = 32
"""How deep a rule may nest (parentheses, ``not``, lists, ``min``/``max``): far deeper
than any criterion is written, and shallow enough that parsing, evaluating and
explaining a rule never come near Python's recursion limit."""


@dataclass(frozen=True)
class Raw:
    negative: bool
    number: Decimal
    unit: str | None
    token: Token


class Cursor:
    """Walks the tokens of one rule; every error names the token's line and column."""

    def __init__(self, text: str, catalogue: Catalogue, factors: Factors | None) -> None:
        self.tokens = tokenize(text)
        self.i = 0
        self.cat = catalogue
        self.factors = factors
        self.depth = 0

    # -- token helpers -----------------------------------------------------------------

    def peek(self, k: int = 0) -> Token:
        return self.tokens[min(self.i + k, len(self.tokens) - 1)]

    def advance(self) -> Token:
        tok = self.peek()
        self.i = min(self.i + 1, len(self.tokens) - 1)
        return tok

    def fail(
        self, message: str, tok: Token | None = None, *, among: Iterable[str] | None = None
    ) -> NoReturn:
        """Refuse the rule at ``tok`` with the likely fix: the names closest to a misspelt
        one (``among``: the names it could have been), else a near-miss of a keyword."""
        tok = tok or self.peek()
        if among is not None:
            hint = did_you_mean(tok.text, among)
        else:
            hint = keyword_hint(self.tokens, tok, KEYWORDS)
        raise RuleError(message + hint, tok.line, tok.column)

    @contextmanager
    def nested(self) -> Iterator[None]:
        """One level deeper into the rule; refused, at the token that opens it, beyond
        :data:`MAX_NESTING`."""
        if self.depth >= MAX_NESTING:
            self.fail(f"the rule nests more than {MAX_NESTING} levels deep; simplify it")
        self.depth += 1
        try:
            yield
        finally:
            self.depth -= 1

    def is_word(self, *words: str, k: int = 0) -> bool:
        tok = self.peek(k)
        return tok.kind == "word" and tok.text.lower() in words

    def expect_word(self, *words: str) -> Token:
        if not self.is_word(*words):
            self.fail(
                f"expected {' or '.join(repr(w) for w in words)}, found {self.peek().describe()}"
            )
        return self.advance()

    def expect(self, kind: str, text: str) -> Token:
        tok = self.peek()
        if tok.kind != kind or tok.text != text:
            self.fail(f"expected {text!r}, found {tok.describe()}")
        return self.advance()

    def at(self, kind: str, text: str | None = None) -> bool:
        tok = self.peek()
        return tok.kind == kind and (text is None or tok.text == text)

    def name(self, what: str) -> Token:
        tok = self.peek()
        if tok.kind != "word" or tok.text.lower() in KEYWORDS:
            self.fail(f"expected {what}, found {tok.describe()}")
        return self.advance()

    def integer(self, what: str) -> int:
        tok = self.peek()
        if tok.kind != "number" or "." in tok.text or int(tok.text) < 1:
            self.fail(f"expected {what} (a whole number of at least 1), found {tok.describe()}")
        self.advance()
        return int(tok.text)

    # -- boolean structure -------------------------------------------------------------

    def raw(self) -> Raw:
        tok = self.peek()
        negative = False
        if tok.kind == "minus":
            negative = True
            self.advance()
        num = self.peek()
        if num.kind != "number":
            self.fail(f"expected a number, found {num.describe()}")
        self.advance()
        unit = None
        if self.at("word") and self.peek().text.lower() not in KEYWORDS:
            unit = self.advance().text
        return Raw(negative, Decimal(num.text), unit, tok)

    def amount(self, q: Quantity, raw: Raw, unit: str | None = None) -> Amount:
        written_unit = raw.unit if raw.unit is not None else unit
        value = -raw.number if raw.negative else raw.number
        if written_unit is None:
            if q.unit:
                self.fail(
                    f"write the unit of {q.label} after the number (e.g. {value} {q.unit})",
                    raw.token,
                )
            written_unit = ""
        canonical = canonical_unit(written_unit)
        try:
            converted = to_canonical(q, value, canonical, self.factors)
        except units.UnitError as exc:
            self.fail(str(exc), raw.token)
        if canonical == q.unit and decimals(value) > q.precision:
            self.fail(
                f"{value} has more decimal places than {q.label} is recorded with ({q.precision})",
                raw.token,
            )
        return Amount(quantize(converted, q.precision), q.unit, value, canonical)

    def time_unit(self) -> TimeUnit:
        tok = self.peek()
        unit = _TIME_WORDS.get(tok.text.lower()) if tok.kind == "word" else None
        if unit is None:
            self.fail(f"expected days, weeks, months or years, found {tok.describe()}")
        self.advance()
        return unit

    def duration(self) -> Duration:
        amount = self.integer("a duration")
        return Duration(amount, self.time_unit())

    def window(self) -> Window | None:
        """A window after an event selector, a drug selector or ``cumulative use of``;
        ``None`` when none is written."""
        tok = self.peek()
        if self.is_word("within"):
            self.advance()
            amount, unit = self.integer("the window's length"), self.time_unit()
            side = self.side()
            return Window(amount, unit, side, self.anchor(side, tok))
        if self.is_word("in") and self.is_word("the", k=1):
            self.advance()
            self.advance()
            amount, unit = self.integer("the window's length"), self.time_unit()
            self.expect_word("before")
            return Window(amount, unit, "before", self.anchor("before", tok))
        kind = self.open_kind()
        if kind is not None:
            amount, unit = self.integer("the window's length"), self.time_unit()
            side = self.side()
            return Window(amount, unit, side, self.anchor(side, tok), kind)
        if self.is_word("before", "after"):
            side = self.side()
            return Window(0, "days", side, self.anchor(side, tok), "more_than")
        if self.is_word("on") and self.is_word("or", k=1) and self.is_word("before", "after", k=2):
            self.advance()
            self.advance()
            side = self.side()
            return Window(0, "days", side, self.anchor(side, tok), "at_least")
        return None

    def open_kind(self) -> WindowKind | None:
        """``more than`` / ``at least`` opening a window, consumed; else ``None``."""
        for words, kind in ((("more", "than"), "more_than"), (("at", "least"), "at_least")):
            if self.is_word(words[0]) and self.is_word(words[1], k=1):
                self.advance()
                self.advance()
                return cast(WindowKind, kind)
        return None

    def side(self) -> Side:
        return cast(Side, self.expect_word("before", "after").text.lower())

    def anchor(self, side: Side, start: Token) -> Anchor:
        """``screening``, a reference date of the protocol or an event type (its first
        recorded occurrence)."""
        if self.is_word("screening"):
            if side == "after":
                self.fail(
                    "a window after screening holds no recorded facts; measure it from a "
                    "reference date or an event (e.g. within 4 weeks before randomisation)",
                    start,
                )
            self.advance()
            return SCREENING_ANCHOR
        tok = self.peek()
        code = tok.text
        if tok.kind == "word" and code in self.cat.reference_dates:
            self.advance()
            return Anchor("reference_date", code)
        if tok.kind == "word" and code in self.cat.event_types:
            self.advance()
            return Anchor("event", code)
        known = ", ".join(["screening", *sorted(self.cat.reference_dates)])
        self.fail(
            f"expected what the window is measured from ({known} or an event type), "
            f"found {tok.describe()}",
            among=["screening", *self.cat.reference_dates, *self.cat.event_types],
        )

    def dose_window(self, what: str) -> Window | None:
        """A window for medications: only ``within N units before`` an anchor, where "a
        dose fell in the window" has one meaning."""
        start = self.peek()
        window = self.window()
        if window is not None and (window.kind != "within" or window.side != "before"):
            self.fail(
                f"{what} takes a window 'within N units before' screening, a reference date "
                "or an event",
                start,
            )
        return window

    # -- medications -------------------------------------------------------------------
