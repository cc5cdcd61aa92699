"""Exclusion criteria read "Not excluded" / "Excluded", inclusion criteria "Met" / "Not met",
on the eligibility panel, the printed record and the screening log ("E1 met" read as
"excluded")."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from screening.criteria_words import failing_words
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
    cell = re.search(r'data-testid="log-blocking">(.*?)</td>', html, re.DOTALL)
    assert cell is not None
    words = " ".join(re.sub(r"<[^>]+>", " ", cell.group(1)).split())
    assert words.startswith("Excluded: E8b ")  # the id, then the criterion's short text
    assert "Not met" not in words


@pytest.fixture
def excluded_by_e8b(coordinator_a: Any, investigator_a: Any, hmsc_screening: Any) -> Any:
    """hMSC100 with the washout example: E8b applies; a screen failure proposed for it."""
    enter_example(coordinator_a, investigator_a, hmsc_screening, "hmsc100-washout")
    return decision_propose(
        user=coordinator_a,
        screening=hmsc_screening,
        outcome="screen_failure",
        reason_category="criteria",
        failed_criteria=["E8b"],
    )


def test_the_decision_form_says_excluded_for_exclusion_criteria(
    coordinator_a: Any, investigator_a: Any, hmsc_screening: Any
) -> None:
    enter_example(coordinator_a, investigator_a, hmsc_screening, "hmsc100-washout")
    url = reverse("screening:decision", kwargs={"pk": hmsc_screening.pk})
    html = client_of(coordinator_a).get(url).content.decode()
    assert "Criteria not met (inclusion) or excluding (exclusion)" in html
    assert "E8b — Excluded: " in html
    assert "I1 — Not met: " in html
    assert "E8b — Not met" not in html


def test_the_sign_page_and_the_summary_say_excluded(
    investigator_a: Any, hmsc_screening: Any, excluded_by_e8b: Any
) -> None:
    client = client_of(investigator_a)
    for name in ("screening:sign", "screening:summary"):
        html = client.get(reverse(name, kwargs={"pk": hmsc_screening.pk})).content.decode()
        assert "Reason: Eligibility criteria not met — Excluded: E8b" in html, name


def test_the_printed_record_names_the_excluding_criterion_as_excluded(
    coordinator_a: Any, investigator_a: Any, hmsc_screening: Any, excluded_by_e8b: Any
) -> None:
    decision_sign(user=investigator_a, decision=excluded_by_e8b, password=PASSWORD)
    url = reverse("screening:record", kwargs={"pk": hmsc_screening.pk})
    html = client_of(coordinator_a).get(url).content.decode()
    assert "Eligibility criteria not met — Excluded: E8b" in html


def test_the_story_says_excluded(
    coordinator_a: Any, hmsc_screening: Any, excluded_by_e8b: Any
) -> None:
    url = reverse("screening:history", kwargs={"pk": hmsc_screening.pk})
    html = client_of(coordinator_a).get(url, {"order": "newest"}).content.decode()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "Criteria not met / excluded" in text
    assert "Excluded: E8b" in text


@pytest.mark.parametrize(
    ("ids", "words"),
    [
        (["I2", "E3", "I4"], "Not met: I2, I4; Excluded: E3"),
        (["E8b"], "Excluded: E8b"),
        (["I1"], "Not met: I1"),
        ([], ""),
    ],
)
def test_failing_criteria_in_words(ids: list[str], words: str) -> None:
    assert failing_words(ids) == words
