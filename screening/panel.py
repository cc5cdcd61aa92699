"""The eligibility panel's reading of an evaluation: the answer first, then what to do.

An evaluation (``docs/result-format.md``) lists every criterion with its id, verbatim
text and summary. The panel leads with the overall status and the criteria that block,
each named by its short text (``screening.criteria.short_text``) with links to the
criterion and to the fields it reads; then what is missing, as links to the fields;
then the criteria. While most criteria are still unknown they are grouped under one
line ("14 criteria still need data") rather than listed as a wall of unknowns.

Each criterion's reason is said once: the outcome is the badge's word, so the reason
drops the summary's "Met:" / "Excluded:" head; an unknown criterion's reason is built
from its missing facts with :func:`eligibility.missing_words`, so a saved evaluation
whose summary said "T-score (T-score not recorded)" reads "Missing T-score" too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from eligibility import InputSpec, missing_words
from screening.criteria import short_text

# At most this many fields are linked beside a blocking criterion: the first ones it reads.
FIELDS_PER_CRITERION = 4
# Kinds of input that have no field of their own on the entry form.
_NO_FIELD = frozenset({"sex"})


@dataclass(frozen=True)
class FieldLink:
    code: str
    label: str
    href: str


@dataclass
class CriterionLine:
    id: str
    kind: str
    outcome: str
    short: str
    text: str
    reason: str
    eligible_from: str | None = None
    eligible_from_latest: bool = False
    fields: list[FieldLink] = field(default_factory=list)
    # The protocol's own (English) wording, when ``text`` is a translation of it.
    original: str = ""


@dataclass
class MissingLine:
    words: str
    link: FieldLink | None


@dataclass
class PanelView:
    criteria: list[CriterionLine]
    blocking: list[CriterionLine]
    missing: list[MissingLine]
    # True: the unknown criteria are shown under one line, the others listed.
    group_unknown: bool

    @property
    def unknown(self) -> list[CriterionLine]:
        return [c for c in self.criteria if c.outcome == "unknown"]

    @property
    def listed(self) -> list[CriterionLine]:
        """The criteria listed one by one: all, or all but the grouped unknowns."""
        if not self.group_unknown:
            return self.criteria
        return [c for c in self.criteria if c.outcome != "unknown"]


_HEADS = ("Met: ", "Not met: ", "Excluded: ", "Not excluded: ")


def _reason(c: Mapping[str, Any]) -> str:
    """What the criterion's outcome rests on, without the outcome word the badge shows."""
    if c["outcome"] == "unknown":
        parts = [missing_words(m["label"], m["reason"]) for m in c.get("missing") or ()]
        return _("Missing %(facts)s") % {"facts": "; ".join(parts)} if parts else c["summary"]
    if c["outcome"] == "needs_review":
        labels = "; ".join(m["label"] for m in c.get("pending_judgments") or c.get("missing") or ())
        return _("Awaiting investigator judgment: %(what)s") % {"what": labels} if labels else ""
    reasons = c.get("reasons") or ()
    if reasons:
        return "; ".join(reasons)
    summary: str = c["summary"]
    for head in _HEADS:
        if summary.startswith(head):
            return summary[len(head) :]
    return summary


def _fields_by_criterion(
    inputs: Sequence[InputSpec], href: str | None
) -> dict[str, list[FieldLink]]:
    out: dict[str, list[FieldLink]] = {}
    if href is None:
        return out
    for spec in inputs:
        if spec.kind in _NO_FIELD:
            continue
        for criterion in spec.used_by:
            out.setdefault(criterion, []).append(
                FieldLink(spec.code, spec.label, f"{href}#item-{spec.code}")
            )
    return out


def panel_view(
    result: Mapping[str, Any],
    inputs: Sequence[InputSpec] = (),
    *,
    fields_href: str | None,
    texts: Mapping[str, str] | None = None,
) -> PanelView:
    """The panel for ``result`` (an evaluation's JSON). ``inputs``: the entry form's
    inputs; ``fields_href``: the entry page's address ("" on the entry page itself),
    ``None`` when the reader cannot open it (then no field is linked); ``texts``: the
    criteria's texts in the reader's language, by id, where the definition translates
    them (the evaluation keeps the original)."""
    texts = texts or {}
    fields = _fields_by_criterion(inputs, fields_href)
    by_code = {f.code: f for links in fields.values() for f in links}
    criteria = [
        CriterionLine(
            id=c["id"],
            kind=c["kind"],
            outcome=c["outcome"],
            short=short_text(texts.get(c["id"]) or c["text"]),
            text=texts.get(c["id"]) or c["text"],
            original=c["text"] if texts.get(c["id"], c["text"]) != c["text"] else "",
            reason=_reason(c),
            eligible_from=c.get("eligible_from"),
            eligible_from_latest=bool(c.get("eligible_from_depends_on")),
            fields=fields.get(c["id"], [])[:FIELDS_PER_CRITERION],
        )
        for c in result.get("criteria") or ()
    ]
    missing = [
        MissingLine(missing_words(m["label"], m["reason"]), by_code.get(m["code"]))
        for m in result.get("missing") or ()
    ]
    unknown = sum(c.outcome == "unknown" for c in criteria)
    return PanelView(
        criteria=criteria,
        blocking=[c for c in criteria if c.outcome == "not_met"],
        missing=missing,
        group_unknown=unknown > 1 and unknown * 2 > len(criteria),
    )
