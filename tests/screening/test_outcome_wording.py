"""Exclusion criteria read "Not excluded" / "Excluded", inclusion criteria "Met" / "Not met",
on the eligibility panel, the printed record and the screening log ("E1 met" read as
"excluded")."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from screening.services import decision_propose, decision_sign
from screening.templatetags.screening_tags import outcome_label
from tests.helpers import PASSWORD, enter_example

pytestmark = pytest.mark.django_db


def client_of(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def badge(page: str, criterion: str) -> str:
    """The outcome words shown for ``criterion`` (icon and tags stripped)."""
    found = re.search(rf'data-criterion="{criterion}".*?</span>\s*([^<]+)</span>', page, re.S)
    assert found, criterion
    return found.group(1).strip()


@pytest.mark.parametrize(
    ("outcome", "kind", "words"),
    [
        ("met", "inclusion", "Met"),
        ("not_met", "inclusion", "Not met"),
        ("met", "exclusion", "Not excluded"),
        ("not_met", "exclusion", "Excluded"),
        ("unknown", "exclusion", "Unknown"),
        ("needs_review", "exclusion", "Needs review"),
    ],
)
def test_outcome_words_depend_on_the_criterion_kind(outcome: str, kind: str, words: str) -> None:
    assert outcome_label(outcome, kind) == words


def test_the_panel_says_excluded_and_not_excluded_for_exclusion_criteria(
    coordinator_a: Any, investigator_a: Any, hmsc_screening: Any
) -> None:
    enter_example(coordinator_a, investigator_a, hmsc_screening, "hmsc100-washout")
    result = hmsc_screening.evaluations.newest_first().first().result
    kinds = {c["id"]: (c["kind"], c["outcome"]) for c in result["criteria"]}
    passing_exclusion = next(i for i, k in kinds.items() if k == ("exclusion", "met"))
    met_inclusion = next(i for i, k in kinds.items() if k == ("inclusion", "met"))
    assert kinds["E8b"] == ("exclusion", "not_met")
    page = client_of(coordinator_a).get(
        reverse("screening:summary", kwargs={"pk": hmsc_screening.pk})
    )
    html = page.content.decode()
    assert badge(html, "E8b") == "Excluded"
    assert badge(html, passing_exclusion) == "Not excluded"
    assert badge(html, met_inclusion) == "Met"


def test_the_printed_record_says_not_excluded_for_exclusion_criteria(
    coordinator_a: Any, investigator_a: Any, hmsc_screening: Any
) -> None:
    enter_example(coordinator_a, investigator_a, hmsc_screening, "hmsc100-eligible")
    decision = decision_propose(user=coordinator_a, screening=hmsc_screening, outcome="eligible")
    decision_sign(user=investigator_a, decision=decision, password=PASSWORD)
    html = (
        client_of(coordinator_a)
        .get(reverse("screening:record", kwargs={"pk": hmsc_screening.pk}))
        .content.decode()
    )
    criteria = decision.signature.evaluation.result["criteria"]
    for c in criteria:
        expected = "Met" if c["kind"] == "inclusion" else "Not excluded"
        assert badge(html, c["id"]) == expected, c["id"]


def test_the_screening_log_names_excluding_criteria_as_excluded(
    coordinator_a: Any, investigator_a: Any, hmsc_screening: Any
) -> None:
    enter_example(coordinator_a, investigator_a, hmsc_screening, "hmsc100-washout")
    html = client_of(coordinator_a).get(reverse("screening:log")).content.decode()
    cell = re.search(r'data-testid="log-blocking">([^<]*)</td>', html)
    assert cell is not None
    assert cell.group(1).startswith("Excluded:")
    assert "E8b" in cell.group(1)
    assert "Not met" not in cell.group(1)
