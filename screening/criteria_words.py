"""The words for the criteria that stand in the way: an inclusion criterion is "not met",
an exclusion criterion that applies "excluded" ("E3 not met" reads as "not excluded").

A criterion's kind is in its id: the definition loader refuses an inclusion criterion
whose id does not start with I, and an exclusion criterion whose id does not start with E.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _


def is_exclusion(criterion_id: str) -> bool:
    return criterion_id.startswith("E")


def split_failing(ids: Iterable[str]) -> tuple[list[str], list[str]]:
    """(inclusion criteria not met, exclusion criteria that apply), in the given order."""
    ids = list(ids)
    return [c for c in ids if not is_exclusion(c)], [c for c in ids if is_exclusion(c)]


def failing_words(ids: Iterable[str]) -> str:
    """``Not met: I2, I3; Excluded: E3`` (either part left out when empty)."""
    not_met, excluded = split_failing(ids)
    parts = []
    if not_met:
        parts.append(_("Not met: %(ids)s") % {"ids": ", ".join(not_met)})
    if excluded:
        parts.append(_("Excluded: %(ids)s") % {"ids": ", ".join(excluded)})
    return "; ".join(parts)


def kind_word(criterion_id: str) -> str:
    """What ticking a criterion as failing says: "Not met" or "Excluded"."""
    return _("Excluded") if is_exclusion(criterion_id) else _("Not met")
