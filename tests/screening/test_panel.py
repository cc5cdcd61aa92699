"""The eligibility panel leads with the answer: the blocking criteria named with their
short text at the top, linked to the criterion and to the fields to check; criteria
labelled by short text with the id as a tag; unknowns grouped while most are unknown;
each reason said once."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from screening.panel import panel_view
from tests.helpers import enter_example, rendered

pytestmark = pytest.mark.django_db

E8B_SHORT = "Treatment with any RANKL inhibitor (such as denosumab)…"


def client_of(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page_of(user: Any, name: str, screening: Any) -> str:
    response = client_of(user).get(reverse(f"screening:{name}", kwargs={"pk": screening.pk}))
    assert response.status_code == 200
    return response.content.decode()


def panel_of(page: str) -> str:
    found = re.search(r'<section id="eligibility-panel".*?</section>', page, re.S)
    assert found
    return found.group(0)


def test_each_criterion_shows_its_short_text_with_the_id_as_a_tag(
    coordinator_a: Any, investigator_a: Any, hmsc_screening: Any
) -> None:
    enter_example(coordinator_a, investigator_a, hmsc_screening, "hmsc100-washout")
    panel = panel_of(page_of(coordinator_a, "summary", hmsc_screening))
    item = re.search(r'<li[^>]*id="criterion-E8b".*?</li>', panel, re.S)
    assert item
    assert f'<span class="criterion-short fw-semibold me-auto">{E8B_SHORT}</span>' in item.group(0)
    assert 'class="badge rounded-pill text-bg-light border criterion-id">E8b</span>' in item.group(
        0
    )


def test_the_blocking_criteria_are_named_at_the_top_with_links(
    coordinator_a: Any, investigator_a: Any, hmsc_screening: Any
) -> None:
    enter_example(coordinator_a, investigator_a, hmsc_screening, "hmsc100-washout")
    panel = panel_of(page_of(coordinator_a, "summary", hmsc_screening))
    blocking = re.search(r'data-testid="panel-blocking".*?</div>', panel, re.S)
    assert blocking
    top = blocking.group(0)
    assert "Not eligible because:" in top
    assert f'<a href="#criterion-E8b" class="fw-semibold">E8b — {E8B_SHORT}</a>' in top
    assert "Last denosumab (RANKL inhibitor) dose" in top
    # The fields to check are on the entry page, which the coordinator may open.
    entry = reverse("screening:entry", kwargs={"pk": hmsc_screening.pk})
    assert f'href="{entry}#item-rankl_inhibitor"' in top
    # Only the blocking criterion is listed there, and it comes before the criteria.
    assert re.findall(r'data-blocking="(\w+)"', top) == ["E8b"]
    assert panel.index("panel-blocking") < panel.index('aria-label="Criteria"')


def test_a_reader_who_cannot_enter_data_gets_no_links_to_the_form(
    world: dict[str, Any], coordinator_a: Any, investigator_a: Any, hmsc_screening: Any
) -> None:
    enter_example(coordinator_a, investigator_a, hmsc_screening, "hmsc100-washout")
    panel = panel_of(page_of(world["monitor"], "summary", hmsc_screening))
    assert 'href="#criterion-E8b"' in panel
    assert "#item-" not in panel


def test_the_live_panel_links_to_the_fields_on_the_same_page(
    coordinator_a: Any, investigator_a: Any, hmsc_screening: Any
) -> None:
    enter_example(coordinator_a, investigator_a, hmsc_screening, "hmsc100-washout")
    client = client_of(coordinator_a)
    url = reverse("screening:panel", kwargs={"pk": hmsc_screening.pk})
    page = client.post(url, rendered(client, hmsc_screening), HTTP_HX_REQUEST="true")
    panel = panel_of(page.content.decode())
    assert 'href="#item-rankl_inhibitor"' in panel
    assert "live, not saved" in panel


def test_while_most_is_unknown_the_unknowns_are_grouped_under_one_line(
    coordinator_a: Any, hmsc_screening: Any
) -> None:
    panel = panel_of(page_of(coordinator_a, "entry", hmsc_screening))
    group = re.search(r'<details class="unknown-group.*?</details>\s*</li>\s*</ol>', panel, re.S)
    assert group
    unknown = len(re.findall(r'data-outcome="unknown"', panel))
    assert unknown > 10
    assert f"{unknown} criteria still need data — show" in panel
    # Every unknown criterion sits in the group; the others stay listed above it.
    assert len(re.findall(r'data-outcome="unknown"', group.group(0))) == unknown
    listed = panel[: panel.index("unknown-group")]
    assert 'data-outcome="needs_review"' in listed
    assert 'data-outcome="unknown"' not in listed
    assert "panel-blocking" not in panel


def test_once_most_is_known_the_criteria_are_listed_one_by_one(
    coordinator_a: Any, investigator_a: Any, hmsc_screening: Any
) -> None:
    enter_example(coordinator_a, investigator_a, hmsc_screening, "hmsc100-incomplete")
    panel = panel_of(page_of(coordinator_a, "summary", hmsc_screening))
    assert 'data-outcome="unknown"' in panel
    assert "unknown-group" not in panel


def test_the_reason_never_repeats_the_outcome_or_the_label(
    coordinator_a: Any, hmsc_screening: Any
) -> None:
    panel = panel_of(page_of(coordinator_a, "entry", hmsc_screening))
    item = re.search(r'<li[^>]*id="criterion-I3".*?</li>', panel, re.S)
    assert item
    summary = re.search(r'<summary class="criterion-summary">(.*?)</summary>', item.group(0))
    assert summary
    assert summary.group(1) == "Missing Body weight; Height"
    assert "not recorded)" not in panel
    assert "Unknown: missing" not in panel


def test_a_saved_evaluation_that_repeated_itself_reads_once_now() -> None:
    # Evaluations are immutable; one saved before the wording was fixed still says
    # "T-score (T-score not recorded)" in its summary.
    old = {
        "criteria": [
            {
                "id": "I4",
                "kind": "inclusion",
                "text": "Osteoporosis: T-score at most -2.5.",
                "outcome": "unknown",
                "summary": "Unknown: missing T-score (T-score not recorded)",
                "reasons": [],
                "missing": [
                    {
                        "code": "t",
                        "label": "T-score",
                        "kind": "measurement",
                        "reason": "T-score not recorded",
                    }
                ],
                "pending_judgments": [],
                "eligible_from": None,
                "eligible_from_depends_on": [],
            },
            {
                "id": "E1",
                "kind": "exclusion",
                "text": "Weight over 200 kg.",
                "outcome": "not_met",
                "summary": "Excluded: Body weight 210 kg is above 200 kg",
                "reasons": ["Body weight 210 kg is above 200 kg"],
                "missing": [],
                "pending_judgments": [],
                "eligible_from": None,
                "eligible_from_depends_on": [],
            },
        ],
        "missing": [
            {
                "code": "t",
                "label": "T-score",
                "kind": "measurement",
                "reason": "T-score not recorded",
            }
        ],
    }
    view = panel_view(old, fields_href=None)
    assert [c.reason for c in view.criteria] == [
        "Missing T-score",
        "Body weight 210 kg is above 200 kg",
    ]
    assert [c.short for c in view.criteria] == ["Osteoporosis", "Weight over 200 kg"]
    assert [m.words for m in view.missing] == ["T-score"]
    assert [c.id for c in view.blocking] == ["E1"]
    # One of two unknown is not "most".
    assert not view.group_unknown
