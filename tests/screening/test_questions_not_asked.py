"""The entry form does not ask what the protocol settles: pregnancy and breastfeeding of a
man (NCT06495437's ``applies_when: sex is female``), and the consent question, which the
consent date recorded when screening started answers."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from screening.engine_bridge import facts_document
from screening.services import ScreeningChanges
from tests.helpers import CONSENT_DATE, register, rendered, save, start

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _criterion(screening: Any, cid: str) -> dict[str, Any]:
    result = screening.evaluations.latest().result
    found: dict[str, Any] = next(c for c in result["criteria"] if c["id"] == cid)
    return found


def test_the_consent_date_reaches_the_engine_and_answers_the_consent_question(
    hmsc_screening: Any,
) -> None:
    assert facts_document(hmsc_screening)["consent_date"] == CONSENT_DATE.isoformat()
    i1 = _criterion(hmsc_screening, "I1")
    assert i1["outcome"] == "met"
    assert f"answered by the consent date {CONSENT_DATE}" in i1["summary"]


def test_a_man_is_not_asked_about_pregnancy_nor_anyone_about_consent(
    coordinator_a: Any, nct_screening: Any
) -> None:
    client = _client(coordinator_a)
    page = client.get(reverse("screening:entry", args=[nct_screening.pk])).content.decode()
    assert 'data-testid="unasked-pregnant"' in page
    assert "Does not apply: sex is male" in page
    assert f"Answered by the consent date {CONSENT_DATE}" in page
    posted = rendered(client, nct_screening)
    assert not {"pregnant", "lactating", "informed_consent"} & set(posted)
    assert "refuses_contraception" in page  # the spouse's pregnancy: asked of men too
    missing = {m["code"] for m in nct_screening.evaluations.latest().result["missing"]}
    assert not {"pregnant", "lactating", "informed_consent"} & missing


def test_a_woman_is_asked_and_her_answer_decides(coordinator_a: Any, nct: Any, site_a: Any) -> None:
    candidate = register(coordinator_a, nct, site_a, sex="F", name="Wen Li")
    screening = start(coordinator_a, candidate)
    client = _client(coordinator_a)
    page = client.get(reverse("screening:entry", args=[screening.pk])).content.decode()
    assert 'name="pregnant"' in page
    save(coordinator_a, screening, ScreeningChanges(answers={"pregnant": "yes"}))
    assert _criterion(screening, "E9")["outcome"] == "not_met"


def test_a_stray_answer_for_a_man_does_not_count(coordinator_a: Any, nct_screening: Any) -> None:
    """Recorded before the rule existed (or through the services): it does not apply."""
    answers = {"pregnant": "yes", "pregnancy_plan_2_years": "no", "refuses_contraception": "no"}
    save(coordinator_a, nct_screening, ScreeningChanges(answers=answers))
    e9 = _criterion(nct_screening, "E9")
    assert e9["outcome"] == "met"
