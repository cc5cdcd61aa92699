"""Presentation helpers for screening pages: outcome words, icons and colours,
units as a coordinator reads them. Stored moments are shown with ``accounts``'
``zones`` filters (``site_time``, ``site_time_utc``), on the site's clock.

Colour is never the only signal: every outcome has an icon and a word too.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.dateparse import parse_date
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from eligibility import display_unit
from screening.criteria_words import failing_words as _failing_words

register = template.Library()

# outcome → (word, icon, Bootstrap colour)
_OUTCOMES = {
    "met": (gettext_lazy("Met"), "✓", "success"),
    "not_met": (gettext_lazy("Not met"), "✗", "danger"),
    "unknown": (gettext_lazy("Unknown"), "?", "secondary"),
    "needs_review": (gettext_lazy("Needs review"), "⚑", "warning"),
}
# overall evaluation status → (word, icon, colour)
_STATUSES = {
    "eligible": (gettext_lazy("Eligible"), "✓", "success"),
    "ineligible": (gettext_lazy("Not eligible"), "✗", "danger"),
    "incomplete": (gettext_lazy("Incomplete"), "…", "secondary"),
    "needs_review": (gettext_lazy("Needs investigator review"), "⚑", "warning"),
}
# screening status → colour
_SCREENING_COLOURS = {
    "in_progress": "secondary",
    "awaiting_signature": "info",
    "eligible": "success",
    "screen_failure": "danger",
    "withdrawn": "dark",
    "needs_review": "warning",
    "enrolled": "primary",
}


def _outcome(code: str) -> tuple[str, str, str]:
    word, icon, colour = _OUTCOMES.get(
        code, (code.replace("_", " ").capitalize(), "•", "secondary")
    )
    return str(word), icon, colour


def _exclusion_words() -> dict[str, str]:
    # "E1 met" reads as "excluded": an exclusion criterion that does not stand in the way
    # is "Not excluded", one that blocks is "Excluded" (docs/result-format.md: met = does
    # not stand in the way).
    return {"met": _("Not excluded"), "not_met": _("Excluded")}


def _status(code: str) -> tuple[str, str, str]:
    word, icon, colour = _STATUSES.get(
        code, (code.replace("_", " ").capitalize(), "•", "secondary")
    )
    return str(word), icon, colour


@register.filter
def failing_words(ids: list[str]) -> str:
    """The criteria that fail a candidate: ``Not met: I2; Excluded: E3``."""
    return _failing_words(ids)


@register.filter
def outcome_label(code: str, kind: str = "inclusion") -> str:
    """The outcome in words for a criterion of ``kind``: "Met" / "Not met" for inclusion,
    "Not excluded" / "Excluded" for exclusion; unknown and needs review alike for both."""
    if kind == "exclusion" and code in ("met", "not_met"):
        return _exclusion_words()[code]
    return _outcome(code)[0]


@register.filter
def outcome_icon(code: str) -> str:
    return _outcome(code)[1]


@register.filter
def outcome_colour(code: str) -> str:
    return _outcome(code)[2]


@register.filter
def status_label(code: str) -> str:
    return _status(code)[0]


@register.filter
def status_icon(code: str) -> str:
    return _status(code)[1]


@register.filter
def status_colour(code: str) -> str:
    return _status(code)[2]


@register.filter
def screening_colour(status: str) -> str:
    return _SCREENING_COLOURS.get(status, "secondary")


@register.filter
def unit(text: str | None) -> str:
    """``kg/m2`` → ``kg/m²``; nothing for unit-less quantities."""
    return display_unit(text or "")


@register.filter
def iso_date(value: Any) -> Any:
    """A date from an evaluation's JSON (``"2027-03-16"``) as a date, for ``|date``."""
    if isinstance(value, str):
        return parse_date(value) or value
    return value


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    try:
        return mapping[key]
    except (KeyError, IndexError, TypeError):
        return None


@register.filter
def approx_age(candidate: Any, on: Any) -> str:
    """Age from the year of birth alone (what a monitor may know): ``69–70``."""
    if not getattr(candidate, "year_of_birth", None):
        return "—"
    return str(candidate.age_range(on))


@register.filter
def screening_status_label(status: str) -> str:
    from screening.models import ScreeningStatus

    return str(dict(ScreeningStatus.choices).get(status, status))


@register.simple_tag(takes_context=True)
def eligibility_panel(context: Any, result: Any) -> Any:
    """The panel's reading of ``result`` (``screening.panel``), with the fields a criterion
    reads linked on the entry page, or to it for a reader who may enter data."""
    from django.urls import reverse

    from screening.engine_bridge import definition_for
    from screening.panel import panel_view

    screening = context.get("screening")
    if not result:
        return None
    if screening is None:
        return panel_view(result, fields_href=None)
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    if match is not None and match.url_name in ("entry", "panel"):
        href: str | None = ""
    elif (context.get("actions") or {}).get("can_edit"):
        href = reverse("screening:entry", kwargs={"pk": screening.pk})
    else:
        href = None
    definition = definition_for(screening)
    language = get_language()
    texts = {c.id: c.text_in(language) for c in definition.criteria}
    return panel_view(result, definition.requirements().inputs(), fields_href=href, texts=texts)
