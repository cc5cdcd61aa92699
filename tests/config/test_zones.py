"""Moments on a site's clock: the zone's own name, the UTC time beside it, DST days."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime

import pytest
from django.template import Context, Template

from config.zones import format_moment, local_date, resolve_zone, zone_label
from trials.models import Site

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


def utc(year: int, month: int, day: int, hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def test_berlin_in_winter_is_cet_one_hour_ahead() -> None:
    assert format_moment(utc(2026, 12, 3, 9, 14), BERLIN) == "3 Dec 2026 10:14 CET"


def test_berlin_in_summer_is_cest_two_hours_ahead() -> None:
    assert format_moment(utc(2026, 7, 3, 9, 14), "Europe/Berlin") == "3 Jul 2026 11:14 CEST"


def test_the_reported_signature_shows_its_local_and_its_utc_time() -> None:
    shown = format_moment(
        utc(2026, 12, 1, 21, 37, 58), "Europe/Berlin", seconds=True, with_utc=True
    )
    assert shown == "1 Dec 2026 22:37:58 CET (21:37:58 UTC)"


def test_utc_date_is_given_when_it_is_another_day() -> None:
    assert (
        format_moment(utc(2026, 12, 2, 23, 30), BERLIN, with_utc=True)
        == "3 Dec 2026 00:30 CET (2 Dec 2026 23:30 UTC)"
    )
    assert (
        format_moment(utc(2026, 12, 3, 7, 30), "America/Los_Angeles", with_utc=True)
        == "2 Dec 2026 23:30 PST (3 Dec 2026 07:30 UTC)"
    )


def test_berlin_spring_forward_day() -> None:
    # 29 Mar 2026: clocks go from 02:00 CET to 03:00 CEST (01:00 UTC).
    assert format_moment(utc(2026, 3, 29, 0, 59), BERLIN) == "29 Mar 2026 01:59 CET"
    assert format_moment(utc(2026, 3, 29, 1, 0), BERLIN) == "29 Mar 2026 03:00 CEST"


def test_berlin_fall_back_day_tells_the_repeated_hour_apart() -> None:
    # 25 Oct 2026: 03:00 CEST becomes 02:00 CET (01:00 UTC); 02:30 happens twice.
    first = format_moment(utc(2026, 10, 25, 0, 30), BERLIN, with_utc=True)
    second = format_moment(utc(2026, 10, 25, 1, 30), BERLIN, with_utc=True)
    assert first == "25 Oct 2026 02:30 CEST (00:30 UTC)"
    assert second == "25 Oct 2026 02:30 CET (01:30 UTC)"


def test_los_angeles_around_its_dst_changes() -> None:
    la = "America/Los_Angeles"
    # 8 Mar 2026: 02:00 PST → 03:00 PDT (10:00 UTC); 1 Nov 2026: 02:00 PDT → 01:00 PST.
    assert format_moment(utc(2026, 3, 8, 9, 59), la) == "8 Mar 2026 01:59 PST"
    assert format_moment(utc(2026, 3, 8, 10, 0), la) == "8 Mar 2026 03:00 PDT"
    assert format_moment(utc(2026, 11, 1, 8, 30), la) == "1 Nov 2026 01:30 PDT"
    assert format_moment(utc(2026, 11, 1, 9, 30), la) == "1 Nov 2026 01:30 PST"


def test_brisbane_is_aest_all_year_and_a_day_ahead_late_in_the_utc_evening() -> None:
    zone = "Australia/Brisbane"
    assert format_moment(utc(2026, 7, 3, 9, 14), zone) == "3 Jul 2026 19:14 AEST"
    assert (
        format_moment(utc(2026, 12, 2, 22, 0), zone, with_utc=True)
        == "3 Dec 2026 08:00 AEST (2 Dec 2026 22:00 UTC)"
    )
    assert local_date(utc(2026, 12, 2, 22, 0), zone) == date(2026, 12, 3)


def test_a_zone_known_only_by_its_offset_is_named_by_its_iso_name() -> None:
    # The time zone database writes "+04" for Dubai: the zone's name says more.
    assert format_moment(utc(2026, 12, 3, 9, 14), "Asia/Dubai") == "3 Dec 2026 13:14 Asia/Dubai"
    local = utc(2026, 12, 3, 9, 14).astimezone(zoneinfo.ZoneInfo("America/Sao_Paulo"))
    assert zone_label(local) == "America/Sao_Paulo"


def test_no_zone_means_utc_and_utc_is_not_repeated() -> None:
    assert format_moment(utc(2026, 12, 3, 9, 14), None, with_utc=True) == "3 Dec 2026 09:14 UTC"
    assert format_moment(utc(2026, 12, 3, 9, 14, 5), "UTC", seconds=True) == (
        "3 Dec 2026 09:14:05 UTC"
    )


def test_an_unknown_zone_name_is_shown_as_utc_and_labelled_so() -> None:
    assert format_moment(utc(2026, 12, 3, 9, 14), "Mars/Olympus") == "3 Dec 2026 09:14 UTC"


def test_a_naive_moment_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        format_moment(datetime(2026, 12, 3, 9, 14), BERLIN)  # noqa: DTZ001


def test_a_site_is_read_by_its_zone() -> None:
    site = Site(code="X01", name="Brisbane", country="AU", time_zone="Australia/Brisbane")
    assert resolve_zone(site) == zoneinfo.ZoneInfo("Australia/Brisbane")


@pytest.mark.parametrize(
    "where",
    [
        Site(code="A01", name="Berlin", country="DE", time_zone="Europe/Berlin"),
        "Europe/Berlin",
        BERLIN,
    ],
)
def test_template_filters_take_a_site_a_zone_name_or_a_zoneinfo(where: object) -> None:
    template = Template(
        "{% load zones %}{{ m|site_time:where }}|{{ m|site_time_utc:where }}"
        "|{{ m|site_date:where }}|{{ m|utc_iso }}"
    )
    rendered = template.render(Context({"m": utc(2026, 12, 1, 23, 37, 58), "where": where}))
    assert rendered == (
        "2 Dec 2026 00:37 CET|2 Dec 2026 00:37:58 CET (1 Dec 2026 23:37:58 UTC)"
        "|2 Dec 2026|2026-12-01T23:37:58+00:00"
    )


def test_template_filters_show_nothing_for_no_moment() -> None:
    template = Template(
        "{% load zones %}[{{ m|site_time:'Europe/Berlin' }}{{ m|site_time_utc:z }}]"
    )
    assert template.render(Context({"m": None, "z": "UTC"})) == "[]"
