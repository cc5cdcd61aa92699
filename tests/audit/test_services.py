from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import Client, RequestFactory

from audit.middleware import client_address
from audit.models import AuditEvent, ReasonCode
from audit.services import audit_record, diff_fields, require_reason


def test_diff_fields_lists_only_what_changed_with_labels_and_units() -> None:
    before = {"alt": Decimal("95"), "unit": "U/L", "sampled_on": dt.date(2026, 11, 10)}
    after = {"alt": Decimal("59"), "unit": "U/L", "sampled_on": dt.date(2026, 11, 12)}
    changes = diff_fields(
        before, after, {"alt": "ALT", "sampled_on": "Sample date"}, units={"alt": "U/L"}
    )
    assert changes == {
        "alt": {"old": "95", "new": "59", "label": "ALT", "unit": "U/L"},
        "sampled_on": {"old": "2026-11-10", "new": "2026-11-12", "label": "Sample date"},
    }


def test_diff_fields_keeps_the_precision_entered() -> None:
    assert diff_fields({"alt": Decimal("95")}, {"alt": Decimal("95.0")})["alt"]["new"] == "95.0"


def test_diff_fields_describes_a_creation_from_nothing() -> None:
    assert diff_fields({}, {"weight": Decimal("61.5")}, {"weight": "Weight"}) == {
        "weight": {"old": None, "new": "61.5", "label": "Weight"}
    }


def test_diff_fields_writes_times_in_utc() -> None:
    berlin = dt.timezone(dt.timedelta(hours=1))
    changes = diff_fields({}, {"at": dt.datetime(2026, 11, 12, 15, 3, tzinfo=berlin)})
    assert changes["at"]["new"] == "2026-11-12T14:03:00+00:00"


def test_a_change_to_saved_data_needs_a_reason() -> None:
    with pytest.raises(ValidationError) as refused:
        require_reason({"alt": {"old": "95", "new": "59"}}, "  ")
    assert "reason" in refused.value.message_dict


@pytest.mark.parametrize(
    ("reason", "code"),
    [("typed 95 for 59", ""), ("", ReasonCode.TRANSCRIPTION_ERROR), ("lab call", "other")],
)
def test_a_reason_in_words_or_from_the_pick_list_is_enough(reason: str, code: str) -> None:
    require_reason({"alt": {"old": "95", "new": "59"}}, reason, reason_code=code)


def test_other_as_a_reason_needs_words() -> None:
    with pytest.raises(ValidationError, match="Describe the reason"):
        require_reason({"alt": {"old": "95", "new": "59"}}, "", reason_code=ReasonCode.OTHER)


def test_nothing_changed_needs_no_reason() -> None:
    require_reason({}, "")


def test_recording_a_change_without_a_reason_is_refused(site_a: Any) -> None:
    with pytest.raises(ValidationError) as refused, transaction.atomic():
        audit_record(
            actor=None,
            action="trials.site.changed",
            obj=site_a,
            changes=diff_fields({"name": "Site A"}, {"name": "Site Alpha"}),
        )
    assert "reason" in refused.value.message_dict
    assert not AuditEvent.objects.exists()


def test_a_first_entry_needs_no_reason(site_a: Any, coordinator_a: Any) -> None:
    with transaction.atomic():
        event = audit_record(
            actor=coordinator_a,
            action="trials.site.created",
            obj=site_a,
            site=site_a,
            changes=diff_fields({}, {"name": "Site A"}),
        )
    assert event.reason == ""


def test_the_request_id_and_client_address_are_recorded(site_a: Any) -> None:
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.10")
    request.request_id = "req-123"  # type: ignore[attr-defined]
    with transaction.atomic():
        event = audit_record(actor=None, action="trials.site.changed", obj=site_a, request=request)
    assert (event.request_id, event.client_address) == ("req-123", "192.0.2.10")


def test_every_response_carries_a_request_id(client: Client, db: Any) -> None:
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]
    assert len(first) == 36
    assert first != second


def test_a_sane_incoming_request_id_is_kept(client: Client, db: Any) -> None:
    response = client.get("/healthz", headers={"X-Request-ID": "lb-7f3a9c"})
    assert response["X-Request-ID"] == "lb-7f3a9c"


@pytest.mark.parametrize("incoming", ["a b", "x" * 65, "=cmd|'/c calc'!A0", "-start"])
def test_an_odd_incoming_request_id_is_replaced(client: Client, db: Any, incoming: str) -> None:
    response = client.get("/healthz", headers={"X-Request-ID": incoming})
    assert response["X-Request-ID"] != incoming
    assert len(response["X-Request-ID"]) == 36


def test_forwarded_addresses_are_ignored_without_a_trusted_proxy(settings: Any) -> None:
    settings.BEHIND_TLS_PROXY = False
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert client_address(request) == "10.0.0.5"


def test_behind_the_proxy_the_last_forwarded_hop_is_the_client(settings: Any) -> None:
    settings.BEHIND_TLS_PROXY = True
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.9"
    )
    assert client_address(request) == "203.0.113.9"


def test_an_address_that_is_not_an_address_is_left_blank(settings: Any) -> None:
    settings.BEHIND_TLS_PROXY = True
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="<script>")
    assert client_address(request) == ""
