"""Template filters for stored moments, shown on a site's clock (``{% load zones %}``).

``{{ moment|site_time:site }}`` → "3 Dec 2026 10:14 CET";
``{{ moment|site_time_utc:site }}`` → "3 Dec 2026 10:14:05 CET (09:14:05 UTC)" — the form
a signature is shown in. ``site`` may be a ``Site``, an IANA zone name or a ``ZoneInfo``.
Use these rather than ``|date``, which moves an aware datetime back to UTC first.
"""

from __future__ import annotations

from datetime import datetime

from django import template

from config import zones

register = template.Library()


@register.filter
def site_time(moment: datetime | None, where: zones.ZoneLike) -> str:
    """A moment on the site's clock with the zone's name, to the minute."""
    if moment is None:
        return ""
    return zones.format_moment(moment, where)


@register.filter
def site_time_utc(moment: datetime | None, where: zones.ZoneLike) -> str:
    """A moment on the site's clock and in UTC, to the second: how signatures are shown."""
    if moment is None:
        return ""
    return zones.format_moment(moment, where, seconds=True, with_utc=True)


@register.filter
def site_date(moment: datetime | None, where: zones.ZoneLike) -> str:
    """The day a moment falls on at the site: "3 Dec 2026"."""
    if moment is None:
        return ""
    return zones.format_date(zones.local_date(moment, where))


@register.filter
def utc_iso(moment: datetime | None) -> str:
    """A moment as ISO 8601 in UTC, for ``<time datetime="…">``."""
    if moment is None:
        return ""
    return zones.utc_iso(moment)
