"""An evaluation as a reader who may not see the candidate's identity reads it.

The engine states the exact age ("Age 70 years is between 45 years and 85 years") and
the values it calculates from it ("eGFR (CKD-EPI 2021) 82 mL/min/1.73 m² (from
0.78 mg/dL, 70 years)"). With the screening date, an exact age says whether the
birthday had come that year, which narrows the date of birth to a few months — a
few such dates (rescreens, lab dates) narrow it further. The result is stored once,
as the engine wrote it: it is what the investigator signed, and the staff of the
candidate's site, who see the date of birth anyway, read it so.

Everyone else — monitors — reads it through :func:`result_for`, the one place every
rendering of a result for such a reader goes through:

* the age becomes the band the year of birth gives, as everywhere else a monitor
  looks ("Age (69–70 years, exact age withheld) is between 45 years and 85 years");
* a value calculated from the age (eGFR, the Padua and Caprini scores, the FRAX
  adjustment, anything whose inputs lead back to the age) is withheld, with the
  inputs it names; the relation to the protocol's limit stays, so every criterion
  still explains itself ("eGFR (CKD-EPI 2021) (value withheld: calculated from the
  age) is not below 60 mL/min/1.73 m²");
* anything else that still reads like an exact age or such a value — wording the
  rules above do not know — is withheld whole, phrase by phrase.

Clinical values and their dates (results, doses, events) are not identity and stay.
The rule and its limits are in ``docs/decisions.md`` ("Identity at presentation").
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from accounts.access import can_see_identity
from eligibility import Catalogue, Quantity, display_unit
from screening.engine_bridge import definition_for
from screening.models import Candidate, Screening

# The engine's calculators that read the date of birth itself. Every other calculator
# that needs the age takes the ``age`` quantity as an input, which makes it age-derived
# here too (``tests/eligibility/test_birth_calculators.py`` keeps this list true).
BIRTH_CALCULATORS = frozenset({"age"})

# The protocol's own words: the same for every candidate, never about one.
PROTOCOL_KEYS = frozenset({"text", "rule"})

_NUMBER = r"-?\d+(?:\.\d+)?"

# The words the engine puts before a protocol's limit (``eligibility`` textfmt).
LIMIT_WORDS = (
    "at least ",
    "above ",
    "below ",
    "at most ",
    "equals ",
    "equal ",
    "between ",
    "years and ",
    "range ",
    "≥ ",
    "> ",
    "≤ ",
    "< ",
)


def age_derived(catalogue: Catalogue) -> tuple[Quantity, ...]:
    """The quantities whose value is the age or is calculated from it, at any remove."""
    quantities = catalogue.quantities
    derived = {code for code, q in quantities.items() if q.calculator in BIRTH_CALCULATORS}
    grew = True
    while grew:
        grew = False
        for code, q in quantities.items():
            if code not in derived and any(i in derived for i in (q.inputs or {}).values()):
                derived.add(code)
                grew = True
    return tuple(quantities[code] for code in sorted(derived))


def possible_ages(candidate: Candidate, on: date) -> tuple[int, int]:
    """The two ages the year of birth allows on ``on`` (see ``Candidate.age_range``)."""
    upper = on.year - candidate.year_of_birth
    return upper - 1, upper


@dataclass(frozen=True)
class Pseudonymiser:
    """Rewrites the sentences of one candidate's results for a reader without identity."""

    rewrites: tuple[tuple[re.Pattern[str], str], ...]
    leftover: re.Pattern[str]

    @classmethod
    def build(
        cls, quantities: Iterable[Quantity], *, band: str, ages: Iterable[int]
    ) -> Pseudonymiser:
        """``quantities``: the age-derived ones; ``band``: the age band shown instead
        ("69–70"); ``ages``: the exact ages the band stands for."""
        rewrites: list[tuple[re.Pattern[str], str]] = []
        labels: list[str] = []
        for q in sorted(quantities, key=lambda q: -len(q.label)):
            label = re.escape(q.label)
            labels.append(label)
            unit = display_unit(q.unit)
            with_unit = "" if not unit else ("%" if unit == "%" else " " + re.escape(unit))
            # "{label} {value} {unit}" and the inputs it was calculated from, exactly as
            # the engine writes a calculated value.
            value = rf"(?<!\w){label} {_NUMBER}(?:{with_unit})?(?: \(from [^()]*\))?"
            # "{label} between {low} and {high}": a score known only in part.
            partial = rf"(?<!\w){label} between {_NUMBER} and {_NUMBER}"
            if q.calculator in BIRTH_CALCULATORS:
                shown = _("%(band)s years, exact age withheld") % {"band": band}
                rewrites.append((re.compile(value), f"{q.label} ({shown})"))
                rewrites.append((re.compile(partial), f"{q.label} ({shown})"))
            else:
                shown = _("value withheld: calculated from the age")
                rewrites.append((re.compile(value), f"{q.label} ({shown})"))
                rewrites.append(
                    (
                        re.compile(partial),
                        f"{q.label} ({_('range withheld: calculated from the age')})",
                    )
                )
        exact = "|".join(str(age) for age in sorted(set(ages)))
        # A number after the engine's words for a limit is the protocol's limit, not
        # the candidate's age ("is at least 51 years", "between 45 years and 85 years").
        limit = "".join(f"(?<!{re.escape(word)})" for word in LIMIT_WORDS)
        patterns = [rf"(?<![\w–.\-]){limit}(?:{exact}) ?(?:years?|yrs?)\b"] if exact else []
        patterns += [rf"(?<!\w){label} {_NUMBER}" for label in labels]
        leftover = re.compile("|".join(patterns) or r"(?!)", re.IGNORECASE)
        return cls(tuple(rewrites), leftover)

    def text(self, sentence: str) -> str:
        """One sentence of a result, as the reader may read it."""
        for pattern, replacement in self.rewrites:
            # Escaped, so that nothing in a label is read as a group reference.
            sentence = pattern.sub(replacement.replace("\\", "\\\\"), sentence)
        if not self.leftover.search(sentence):
            return sentence
        # Wording the rewrites do not know: withhold each phrase that still states it.
        withheld = _("[withheld: states the age or a value calculated from it]")
        return "; ".join(
            withheld if self.leftover.search(phrase) else phrase for phrase in sentence.split("; ")
        )

    def result(self, value: Any, key: str = "") -> Any:
        """A copy of a result (or any part of one) with every sentence rewritten."""
        if isinstance(value, str):
            return value if key in PROTOCOL_KEYS else self.text(value)
        if isinstance(value, Mapping):
            return {k: self.result(v, k) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.result(item, key) for item in value]
        return copy.deepcopy(value)


def pseudonymised_result(
    result: Mapping[str, Any], *, candidate: Candidate, catalogue: Catalogue
) -> dict[str, Any]:
    """``result`` (an evaluation's JSON) with the age shown as the candidate's band and
    values calculated from it withheld. The stored result is not touched."""
    on = date.fromisoformat(str(result["screening_date"]))
    rewritten: dict[str, Any] = Pseudonymiser.build(
        age_derived(catalogue),
        band=candidate.age_range(on),
        ages=possible_ages(candidate, on),
    ).result(result)
    return rewritten


def result_for(
    user: Any, screening: Screening, result: Mapping[str, Any] | None
) -> dict[str, Any] | None:
    """The result of an evaluation of ``screening`` as ``user`` may read it: as stored
    for the staff of the candidate's site, pseudonymised for everyone else."""
    if result is None:
        return None
    candidate = screening.candidate
    if can_see_identity(user, site_id=candidate.site_id):
        return dict(result)
    catalogue = definition_for(screening).catalogue
    return pseudonymised_result(result, candidate=candidate, catalogue=catalogue)
