"""Grammar of medications and history events inside rules."""

from __future__ import annotations

from typing import Literal, cast

from eligibility.catalogue import Drug
from eligibility.parse_base import DAILY_DOSE, Cursor
from eligibility.rules import DetailCondition, DrugSelector, EventSelector, Pos, SustainedDose


class TermsParser(Cursor):
    def drug_selector(self) -> DrugSelector:
        route = None
        if self.at("word") and self.peek().text in self.cat.routes:
            route = self.advance().text
        tok = self.name("a drug or drug class")
        code = tok.text
        if not self.cat.is_drug_or_class(code):
            if (
                route is None
                and self.peek().kind == "word"
                and self.cat.is_drug_or_class(self.peek().text)
            ):
                self.fail(
                    f"unknown route {code!r}; known routes: {', '.join(self.cat.routes)}", tok
                )
            names = [*self.cat.drugs, *self.cat.drug_classes]
            self.fail(f"unknown drug or drug class {code!r}", tok, among=names)
        if route is not None:
            possible = [d for d in self._drugs_for(code) if d.routes]
            if possible and not any(route in d.routes for d in possible):
                self.fail(
                    f"{self.cat.label_of_drugs(code)} is never given by the {route} route", tok
                )
        return DrugSelector(code, route)

    def _drugs_for(self, code: str) -> list[Drug]:
        if code in self.cat.drugs:
            return [self.cat.drugs[code]]
        return list(self.cat.drugs_in(code))

    def sustained(self, pos: Pos) -> SustainedDose:
        self.advance()
        self.advance()
        drugs = self.drug_selector()
        self.expect_word("at")
        dose_op = self.strict_op(">", ">=")
        dose = self.amount(DAILY_DOSE, self.raw())
        pe = False
        if self.is_word("prednisolone-equivalent"):
            tok = self.advance()
            lacking = [
                d.code for d in self._drugs_for(drugs.code) if d.prednisolone_equivalent_mg is None
            ]
            if lacking or not self._drugs_for(drugs.code):
                self.fail(
                    f"{drugs.code} has no prednisolone equivalence for "
                    f"{', '.join(lacking) or 'its drugs'}",
                    tok,
                )
            pe = True
        self.expect_word("for")
        duration_op = self.strict_op(">", ">=")
        duration = self.duration()
        ongoing = False
        if self.is_word("ongoing"):
            self.advance()
            ongoing = True
        return SustainedDose(drugs, dose_op, dose, pe, duration_op, duration, ongoing, pos)

    def strict_op(self, *allowed: str) -> Literal[">", ">="]:
        if self.is_word("more") and self.is_word("than", k=1):
            self.advance()
            self.advance()
            return ">"
        if self.is_word("at") and self.is_word("least", k=1):
            self.advance()
            self.advance()
            return ">="
        tok = self.peek()
        if tok.kind != "op" or tok.text not in allowed:
            self.fail(f"expected {' or '.join(allowed)}, found {tok.describe()}")
        self.advance()
        return cast(Literal[">", ">="], tok.text)

    # -- history -----------------------------------------------------------------------

    def event_selector(self) -> EventSelector:
        tok = self.name("an event type")
        etype = self.cat.event_types.get(tok.text)
        if etype is None:
            self.fail(f"unknown event type {tok.text!r}", tok, among=self.cat.event_types)
        where: list[DetailCondition] = []
        if self.is_word("where"):
            self.advance()
            where.append(self.detail_condition(tok.text))
            while (
                self.is_word("and")
                and self.peek(1).kind == "word"
                and etype.detail(self.peek(1).text) is not None
                and self.is_word("is", "in", k=2)
            ):
                self.advance()
                where.append(self.detail_condition(tok.text))
        return EventSelector(tok.text, tuple(where), self.window())

    def detail_condition(self, event: str) -> DetailCondition:
        tok = self.name("an event detail")
        field = self.cat.event_types[event].detail(tok.text)
        if field is None:
            details = [d.code for d in self.cat.event_types[event].details]
            self.fail(f"{event} has no detail {tok.text!r}", tok, among=details)
        if self.is_word("in"):
            self.advance()
            self.expect("punct", "(")
            values = [self.detail_value(field.values)]
            while self.at("punct", ","):
                self.advance()
                values.append(self.detail_value(field.values))
            self.expect("punct", ")")
            return DetailCondition(field.code, tuple(values))
        self.expect_word("is")
        return DetailCondition(field.code, (self.detail_value(field.values),))

    def detail_value(self, allowed: tuple[str, ...]) -> str:
        tok = self.peek()
        if tok.kind not in ("word", "number") or tok.text not in allowed:
            self.fail(
                f"expected one of {', '.join(allowed)}, found {tok.describe()}", among=allowed
            )
        return self.advance().text
