"""An object's history page: who may read it, what it says, filters and CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
import time_machine
from django.db import transaction
from django.test import Client

from accounts.models import SiteMembership
from audit.csv_export import safe_cell
from audit.models import ReasonCode
from audit.services import audit_record, diff_fields
from tests.audit.conftest import rename_site


def history_url(obj: Any) -> str:
    return f"/audit/{obj._meta.label_lower}/{obj.pk}/"


def csv_rows(response: Any) -> list[list[str]]:
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 with a byte-order mark, for Excel
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


@pytest.fixture
def site_history(site_a: Any, coordinator_a: Any, data_manager: Any) -> Any:
    with time_machine.travel(dt.datetime(2026, 11, 10, 9, 0, tzinfo=dt.UTC), tick=False):
        rename_site(site_a, "Site Alpha", actor=data_manager)
    with time_machine.travel(dt.datetime(2026, 11, 12, 14, 3, tzinfo=dt.UTC), tick=False):
        rename_site(site_a, "Site Beta", actor=coordinator_a, reason="as on the letterhead")
    return site_a


@pytest.mark.parametrize("persona", ["coordinator_a", "investigator_a", "data_manager"])
def test_site_staff_and_data_managers_read_a_sites_history(
    client: Client, personas: dict[str, Any], site_history: Any, persona: str
) -> None:
    client.force_login(personas[persona])
    response = client.get(history_url(site_history))
    assert response.status_code == 200
    assert (
        "12 Nov 2026 15:03 CET — Alice Coordinator (coordinator, Site Beta) changed Name "
        "from “Site Alpha” to “Site Beta” of A01 — Site Beta. Reason: new information from "
        "source document — as on the letterhead"
    ) in response.content.decode()


@pytest.mark.parametrize("persona", ["coordinator_b", "monitor"])
def test_outsiders_get_404_not_403(
    client: Client, personas: dict[str, Any], site_history: Any, persona: str
) -> None:
    client.force_login(personas[persona])
    assert client.get(history_url(site_history)).status_code == 404
    assert client.get(history_url(site_history) + "?format=csv").status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client: Client, site_history: Any) -> None:
    response = client.get(history_url(site_history))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.parametrize(
    "path",
    [
        "/audit/nothing.here/1/",
        "/audit/trials.site/999999/",
        "/audit/trials.site/not-a-number/",
        "/audit/trials/1/",
    ],
)
def test_unknown_objects_get_404(client: Client, data_manager: Any, path: str) -> None:
    client.force_login(data_manager)
    assert client.get(path).status_code == 404


def test_the_story_is_newest_first_unless_asked_otherwise(
    client: Client, coordinator_a: Any, site_history: Any
) -> None:
    client.force_login(coordinator_a)
    newest_first = client.get(history_url(site_history)).content.decode()
    assert newest_first.index("to “Site Beta”") < newest_first.index("to “Site Alpha”")
    oldest_first = client.get(history_url(site_history), {"order": "oldest"}).content.decode()
    assert oldest_first.index("to “Site Alpha”") < oldest_first.index("to “Site Beta”")


def test_the_story_filters_by_person(
    client: Client, coordinator_a: Any, data_manager: Any, site_history: Any
) -> None:
    client.force_login(coordinator_a)
    html = client.get(history_url(site_history), {"person": data_manager.pk}).content.decode()
    assert "Dora Datamanager (data manager" in html
    assert "Alice Coordinator (coordinator" not in html


def test_the_story_filters_by_date_range(
    client: Client, coordinator_a: Any, site_history: Any
) -> None:
    client.force_login(coordinator_a)
    html = client.get(
        history_url(site_history), {"date_from": "2026-11-11", "date_to": "2026-11-12"}
    ).content.decode()
    assert "changed Name from “Site Alpha” to “Site Beta”" in html
    assert "to “Site Alpha”" not in html
    assert "1 event," in html


def test_the_story_filters_by_action(
    client: Client, coordinator_a: Any, site_a: Any, site_history: Any
) -> None:
    with transaction.atomic():
        audit_record(actor=coordinator_a, action="tests.site.reviewed", obj=site_a, site=site_a)
    client.force_login(coordinator_a)
    html = client.get(history_url(site_a), {"action": "tests.site.reviewed"}).content.decode()
    assert "reviewed A01" in html
    assert "changed Name" not in html
    family = client.get(history_url(site_a), {"action": "trials.site"}).content.decode()
    assert "2 events," in family  # the two renames; the review is another family


def test_an_impossible_date_range_is_explained(
    client: Client, coordinator_a: Any, site_history: Any
) -> None:
    client.force_login(coordinator_a)
    html = client.get(
        history_url(site_history), {"date_from": "2026-11-12", "date_to": "2026-11-01"}
    ).content.decode()
    assert "The end date is before the start date." in html


def test_the_history_exports_as_csv(client: Client, coordinator_a: Any, site_history: Any) -> None:
    client.force_login(coordinator_a)
    response = client.get(history_url(site_history), {"format": "csv", "order": "oldest"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment;" in response["Content-Disposition"]
    header, first, second = csv_rows(response)
    assert header[:3] == ["sequence", "occurred_at_utc", "person"]
    assert first[0] == "1"
    assert first[1] == "2026-11-10T09:00:00.000000+00:00"
    assert second[header.index("reason")] == "as on the letterhead"
    assert second[header.index("story")].startswith("12 Nov 2026 15:03 CET — Alice Coordinator")


def test_the_csv_export_defuses_spreadsheet_formulas(
    client: Client, coordinator_a: Any, site_a: Any
) -> None:
    rename_site(site_a, '=HYPERLINK("http://evil.example")', actor=coordinator_a, reason="-1+1")
    rename_site(site_a, "@SUM(A1)", actor=coordinator_a, reason="+cmd")
    client.force_login(coordinator_a)
    rows = csv_rows(client.get(history_url(site_a), {"format": "csv", "order": "oldest"}))
    header = rows[0]
    first, second = rows[1], rows[2]
    assert first[header.index("site")] == '\'=HYPERLINK("http://evil.example")'
    assert first[header.index("reason")] == "'-1+1"
    assert second[header.index("site")] == "'@SUM(A1)"
    assert second[header.index("reason")] == "'+cmd"
    assert first[header.index("sequence")] == "1"


def test_a_membership_history_belongs_to_its_site(
    client: Client, coordinator_a: Any, coordinator_b: Any, data_manager: Any, site_a: Any
) -> None:
    membership = SiteMembership.objects.get(user=coordinator_a, site=site_a)
    with transaction.atomic():
        before = {"role": membership.role}
        membership.role = "investigator"
        membership.save()
        audit_record(
            actor=data_manager,
            action="accounts.sitemembership.changed",
            obj=membership,
            site=site_a,
            changes=diff_fields(before, {"role": membership.role}, {"role": "role"}),
            reason_code=ReasonCode.ENTERED_IN_ERROR,
        )
    client.force_login(coordinator_a)
    assert client.get(history_url(membership)).status_code == 200
    client.force_login(coordinator_b)
    assert client.get(history_url(membership)).status_code == 404


def test_a_deleted_object_keeps_its_history(
    client: Client, coordinator_a: Any, coordinator_b: Any, data_manager: Any, site_a: Any
) -> None:
    membership = SiteMembership.objects.get(user=coordinator_a, site=site_a)
    url = history_url(membership)
    with transaction.atomic():
        audit_record(
            actor=data_manager,
            action="accounts.sitemembership.deleted",
            obj=membership,
            site=site_a,
        )
        membership.delete()
    client.force_login(data_manager)
    html = client.get(url).content.decode()
    assert "no longer exists" in html
    assert "Dora Datamanager (data manager, Site A) deleted" in html
    client.force_login(coordinator_b)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_every_formula_start_is_defused(start: str) -> None:
    assert safe_cell(f"{start}1+1") == f"'{start}1+1"


@pytest.mark.parametrize("value", ["Site A", "1+1", "", None, 42])
def test_ordinary_cells_are_left_alone(value: Any) -> None:
    assert safe_cell(value) == ("" if value is None else str(value))


def test_an_object_without_a_site_of_its_own_belongs_to_the_site_of_its_events(
    client: Client, coordinator_a: Any, coordinator_b: Any, data_manager: Any, site_a: Any
) -> None:
    # A user names no site; this event about one was recorded at site A.
    with transaction.atomic():
        audit_record(
            actor=data_manager, action="tests.user.reviewed", obj=coordinator_a, site=site_a
        )
    client.force_login(coordinator_a)
    assert client.get(history_url(coordinator_a)).status_code == 200
    client.force_login(coordinator_b)
    assert client.get(history_url(coordinator_a)).status_code == 404
