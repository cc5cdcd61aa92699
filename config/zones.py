"""Moments as a site reads them: the site's clock, the zone's own name, and UTC beside it.

Times are stored in UTC. A person at a site reads them on the site's clock, labelled
with the zone's abbreviation ("CET", "AEST"); a signature also carries the UTC time,
so that a record from any site can be set on one time line.

Pure functions on aware datetimes: nothing here reads the clock or the database, and
nothing imports the apps (a ``Site`` is accepted by its ``zone`` attribute), so every
layer may use it.

Django's ``date`` template filter is not used for these on purpose: it converts an aware
datetime back to the *current* time zone (UTC here) before formatting, which printed a
Berlin signature's UTC clock time under the label "Europe/Berlin".
"""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime, tzinfo
from typing import Protocol

from django.utils import dateformat
from django.utils.formats import get_format
from django.utils.translation import gettext as _

# The date as the active language writes it ("3 Dec 2026", "03.12.2026", "2026年12月3日"):
# DATE_FORMAT of config/formats/<language>/formats.py, read at each call.
DATE_FORMAT = "DATE_FORMAT"
MINUTES_FORMAT = "H:i"
SECONDS_FORMAT = "H:i:s"


class HasZone(Protocol):
    """Anything that knows its time zone — a ``Site``."""

    @property
    def zone(self) -> zoneinfo.ZoneInfo: ...


ZoneLike = zoneinfo.ZoneInfo | str | HasZone | None


def resolve_zone(where: ZoneLike) -> tzinfo:
    """The time zone of ``where``: a ``ZoneInfo``, an IANA name, a site; ``None`` is UTC.

    An unknown zone name is read as UTC — and then labelled UTC, so a time is never
    shown under a zone it was not converted to.
    """
    if where is None:
        return UTC
    if isinstance(where, zoneinfo.ZoneInfo):
        return where
    if isinstance(where, str):
        try:
            return zoneinfo.ZoneInfo(where)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return UTC
    return where.zone


def zone_label(local: datetime) -> str:
    """The name a reader knows the zone by at ``local``: "CET", "CEST", "AEST", "UTC".

    Zones without a customary abbreviation carry a bare offset ("+04", "-03") in the
    time zone database; for those the IANA name says more ("Asia/Dubai").
    """
    name = local.tzname() or ""
    if not name or name[0] in "+-":
        key = getattr(local.tzinfo, "key", None)
        return key or name or "UTC"
    return name


def local_moment(moment: datetime, zone: ZoneLike) -> datetime:
    """``moment`` (aware) on the clock of ``zone``."""
    if moment.tzinfo is None:
        raise ValueError("A stored moment must be timezone-aware (UTC).")
    return moment.astimezone(resolve_zone(zone))


def local_date(moment: datetime, zone: ZoneLike) -> date:
    """The calendar day ``moment`` falls on at ``zone`` (a signature's day at the site)."""
    return local_moment(moment, zone).date()


def format_date(day: date) -> str:
    """A calendar date as the app writes it: "3 Dec 2026"."""
    return dateformat.format(day, get_format(DATE_FORMAT))


def format_moment(
    moment: datetime,
    zone: ZoneLike,
    *,
    seconds: bool = False,
    with_utc: bool = False,
) -> str:
    """``moment`` on the clock of ``zone``, with the zone's name: "3 Dec 2026 10:14 CET".

    ``with_utc`` adds the UTC time, and the UTC date when it is another day:
    "3 Dec 2026 10:14 CET (09:14 UTC)", "3 Dec 2026 00:30 CET (2 Dec 2026 23:30 UTC)".
    A moment shown in UTC itself gets no second UTC time.
    """
    time_format = SECONDS_FORMAT if seconds else MINUTES_FORMAT
    local = local_moment(moment, zone)
    label = zone_label(local)
    shown = _("%(moment)s %(zone)s") % {
        "moment": dateformat.format(local, f"{get_format(DATE_FORMAT)} {time_format}"),
        "zone": label,
    }
    if not with_utc or label == "UTC":
        return shown
    utc = moment.astimezone(UTC)
    utc_format = (
        time_format if utc.date() == local.date() else f"{get_format(DATE_FORMAT)} {time_format}"
    )
    return _("%(local)s (%(utc)s UTC)") % {
        "local": shown,
        "utc": dateformat.format(utc, utc_format),
    }


def utc_iso(moment: datetime) -> str:
    """``moment`` in UTC as ISO 8601, for machine-readable ``<time datetime>`` attributes."""
    return moment.astimezone(UTC).isoformat()
