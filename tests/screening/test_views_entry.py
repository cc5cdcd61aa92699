"""The generated data-entry form: round trip, live panel, validation beside the
field, confirmation of implausible values, reasons for changes, conflicts."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.helpers import rendered

pytestmark = pytest.mark.django_db


def post(client: Client, screening: Any, data: dict[str, Any], **extra: Any) -> Any:
    return client.post(reverse("screening:entry", kwargs={"pk": screening.pk}), data, **extra)


@pytest.fixture
def coordinator(coordinator_a: Any) -> Client:
    client = Client()
    client.force_login(coordinator_a)
    return client


def observation(screening: Any, code: str) -> Any:
    return screening.observations.filter(code=code).first()


def test_values_typed_are_saved_and_shown_again(coordinator: Client, hmsc_screening: Any) -> None:
    data = rendered(coordinator, hmsc_screening)
    data.update(
        {
            "weight__value": "58.4",
            "weight__unit": "kg",
            "weight__date": "2026-11-20",
            "height__value": "155.0",
            "height__date": "2026-11-20",
            "menopause_natural": "yes",
        }
    )
    response = post(coordinator, hmsc_screening, data)
    assert response.status_code == 302
    assert observation(hmsc_screening, "weight").value_entered == "58.4"
    assert observation(hmsc_screening, "menopause_natural").text_value == "yes"
    again = rendered(coordinator, hmsc_screening)
    assert again["weight__value"] == "58.4"
    assert again["height__value"] == "155.0"
    assert again["menopause_natural"] == "yes"
    # The consent date recorded at the start answers the consent question.
    assert "informed_consent" not in again
    # Saved data now exists: the reason fields are offered.
    assert "reason_code" in again


def test_the_live_panel_evaluates_without_saving(coordinator: Client, hmsc_screening: Any) -> None:
    data = rendered(coordinator, hmsc_screening)
    data.update({"weight__value": "128.7", "weight__unit": "lb", "weight__date": "2026-11-20"})
    url = reverse("screening:panel", kwargs={"pk": hmsc_screening.pk})
    response = coordinator.post(url, data, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="eligibility-panel"' in page
    assert "Body weight 128.7 lb" in page or "58.4 kg" in page  # the engine quotes the figures
    assert 'id="hint-weight"' in page
    assert 'hx-swap-oob="true"' in page
    assert "= 58.4 kg" in page  # converted with the engine's rounding
    assert not hmsc_screening.observations.exists()
    hmsc_screening.refresh_from_db()
    assert hmsc_screening.revision == 0


def test_the_panel_shows_the_washout_end(coordinator: Client, hmsc_screening: Any) -> None:
    data = rendered(coordinator, hmsc_screening)
    data.update(
        {
            "med-rankl_inhibitor-0-drug": "denosumab",
            "med-rankl_inhibitor-0-route": "subcutaneous",
            "med-rankl_inhibitor-0-start": "2023-03-15",
            "med-rankl_inhibitor-0-stop": "2026-03-15",
            "medications_complete": "on",
        }
    )
    url = reverse("screening:panel", kwargs={"pk": hmsc_screening.pk})
    page = coordinator.post(url, data).content.decode()
    assert 'data-testid="eligible-from"' in page
    assert "16 Mar 2027" in page


def test_an_impossible_value_is_refused_beside_its_field_and_nothing_is_lost(
    coordinator: Client, hmsc_screening: Any
) -> None:
    data = rendered(coordinator, hmsc_screening)
    data.update(
        {
            "weight__value": "900",
            "weight__date": "2026-11-20",
            "height__value": "155",
            "height__date": "2026-11-20",
        }
    )
    response = post(coordinator, hmsc_screening, data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Body weight: 900 kg is impossible; it must be between 0.5 and 650 kg" in page
    assert 'id="error_1_id_weight__value"' in page or "is-invalid" in page
    assert 'value="900"' in page
    assert 'value="155"' in page
    assert not hmsc_screening.observations.exists()


def test_a_result_date_after_the_screening_date_is_refused(
    coordinator: Client, hmsc_screening: Any
) -> None:
    data = rendered(coordinator, hmsc_screening)
    data.update({"alt__value": "22", "alt__date": "2026-11-21"})
    page = post(coordinator, hmsc_screening, data).content.decode()
    assert "after the screening date" in page


def test_an_implausible_value_needs_the_confirmation_box(
    coordinator: Client, hmsc_screening: Any
) -> None:
    data = rendered(coordinator, hmsc_screening)
    data.update({"weight__value": "260", "weight__date": "2026-11-20"})
    page = post(coordinator, hmsc_screening, data).content.decode()
    assert "is implausible" in page
    assert 'name="weight__confirm"' in page  # the box appears beside the field
    data["weight__confirm"] = "on"
    assert post(coordinator, hmsc_screening, data).status_code == 302
    assert observation(hmsc_screening, "weight").implausible_confirmed


def test_changing_saved_data_asks_for_a_reason(coordinator: Client, hmsc_screening: Any) -> None:
    data = rendered(coordinator, hmsc_screening)
    data.update({"weight__value": "58.4", "weight__date": "2026-11-20"})
    post(coordinator, hmsc_screening, data)
    data = rendered(coordinator, hmsc_screening)
    data["weight__value"] = "85.4"
    page = post(coordinator, hmsc_screening, data).content.decode()
    assert "reason" in page.lower()
    assert "Nothing was saved" in page
    assert 'value="85.4"' in page
    assert observation(hmsc_screening, "weight").value_entered == "58.4"
    data.update({"reason_code": "transcription_error", "reason": "re-read the scale"})
    assert post(coordinator, hmsc_screening, data).status_code == 302
    assert observation(hmsc_screening, "weight").value_entered == "85.4"


def test_a_stale_form_gets_a_conflict_message_and_keeps_the_input(
    coordinator: Client, hmsc_screening: Any, investigator_a: Any
) -> None:
    stale = rendered(coordinator, hmsc_screening)
    other = Client()
    other.force_login(investigator_a)
    theirs = rendered(other, hmsc_screening)
    theirs.update({"height__value": "160", "height__date": "2026-11-20"})
    assert post(other, hmsc_screening, theirs).status_code == 302
    stale.update({"weight__value": "61.2", "weight__date": "2026-11-20"})
    response = post(coordinator, hmsc_screening, stale)
    page = response.content.decode()
    assert response.status_code == 409
    assert 'data-testid="conflict"' in page
    assert "Ian Investigator saved this screening" in page
    assert 'value="61.2"' in page
    assert not observation(hmsc_screening, "weight")


def test_medication_rows_are_saved_and_their_errors_shown_on_the_row(
    coordinator: Client, hmsc_screening: Any
) -> None:
    data = rendered(coordinator, hmsc_screening)
    row = {
        "med-rankl_inhibitor-0-drug": "denosumab",
        "med-rankl_inhibitor-0-start": "2024-03-15",
        "med-rankl_inhibitor-0-stop": "2023-03-15",
        "medications_complete": "on",
    }
    data.update(row)
    page = post(coordinator, hmsc_screening, data).content.decode()
    assert "Stop (2023-03-15) is before start (2024-03-15)." in page
    data["med-rankl_inhibitor-0-stop"] = "2025-03-15"
    assert post(coordinator, hmsc_screening, data).status_code == 302
    course = hmsc_screening.medications.get()
    assert (course.drug, str(course.stop)) == ("denosumab", "2025-03-15")
    hmsc_screening.refresh_from_db()
    assert hmsc_screening.medications_complete
    again = rendered(coordinator, hmsc_screening)
    assert again["med-rankl_inhibitor-0-row_id"] == str(course.pk)


def test_lab_ranges_are_prefilled_from_the_site_and_editable(
    coordinator: Client, hmsc_screening: Any
) -> None:
    data = rendered(coordinator, hmsc_screening)
    assert (data["alt__lln"], data["alt__uln"]) == ("7", "40")  # site A01's demo range
    data.update(
        {
            "alt__value": "95",
            "alt__date": "2026-11-10",
            "ast__value": "30",
            "ast__date": "2026-11-10",
            "ast__uln": "35",
        }
    )
    assert post(coordinator, hmsc_screening, data).status_code == 302
    assert observation(hmsc_screening, "alt").range_source == "site"
    ast = observation(hmsc_screening, "ast")
    assert (ast.range_source, ast.uln) == ("report", 35)


def test_judgments_are_read_only_for_coordinators(
    coordinator: Client, hmsc_screening: Any, investigator_a: Any
) -> None:
    url = reverse("screening:entry", kwargs={"pk": hmsc_screening.pk})
    page = coordinator.get(url).content.decode()
    assert 'name="other_unsuitable" id="id_other_unsuitable_0" value="yes" disabled' in page
    data = rendered(coordinator, hmsc_screening)
    data["other_unsuitable"] = "no"  # posted anyway: ignored
    post(coordinator, hmsc_screening, data)
    assert not observation(hmsc_screening, "other_unsuitable")
    investigator = Client()
    investigator.force_login(investigator_a)
    data = rendered(investigator, hmsc_screening)
    data["other_unsuitable"] = "no"
    assert post(investigator, hmsc_screening, data).status_code == 302
    assert observation(hmsc_screening, "other_unsuitable").text_value == "no"


def test_both_protocols_render_every_required_input(
    coordinator: Client, hmsc_screening: Any, nct_screening: Any
) -> None:
    from screening.engine_bridge import definition_for

    for screening in (hmsc_screening, nct_screening):
        page = coordinator.get(reverse("screening:entry", kwargs={"pk": screening.pk}))
        html = page.content.decode()
        for spec in definition_for(screening).requirements().inputs():
            assert f'id="item-{spec.code}"' in html, spec.code


def test_a_checklist_is_ticked_then_cleared_through_the_form(
    coordinator: Client, nct_screening: Any
) -> None:
    data = rendered(coordinator, nct_screening)
    data.update({"padua": ["previous_vte", "thrombophilia"]})
    assert post(coordinator, nct_screening, data).status_code == 302
    saved = nct_screening.score_items.get(score="padua")
    assert sorted(saved.items) == ["previous_vte", "thrombophilia"]
    again = rendered(coordinator, nct_screening)
    assert sorted(again["padua"]) == ["previous_vte", "thrombophilia"]
    # Untick every item without ticking "none applies": the checklist is not assessed.
    again.pop("padua")
    again.pop("padua__none", None)
    again.update({"reason_code": "entered_in_error"})
    assert post(coordinator, nct_screening, again).status_code == 302
    assert not nct_screening.score_items.filter(score="padua").exists()
    assert "padua" not in rendered(coordinator, nct_screening)


def test_a_saved_result_is_shown_with_the_range_in_force_on_its_date(
    coordinator: Client, hmsc_screening: Any
) -> None:
    """Site A's laboratory changed its ALT range on 28 Oct 2026: a result from before is
    judged, and shown, against the range then in force."""
    from datetime import date
    from decimal import Decimal

    from trials.models import ReferenceRange

    current = ReferenceRange.objects.get(site=hmsc_screening.candidate.site, quantity__code="alt")
    ReferenceRange.objects.filter(pk=current.pk).update(valid_from=date(2026, 10, 28))
    ReferenceRange.objects.create(
        site=current.site,
        quantity=current.quantity,
        unit="U/L",
        lln=Decimal(7),
        uln=Decimal(55),
        valid_from=date(2020, 1, 1),
        valid_to=date(2026, 10, 27),
    )
    assert rendered(coordinator, hmsc_screening)["alt__uln"] == "40"  # nothing saved yet
    data = rendered(coordinator, hmsc_screening)
    data.update({"alt__value": "50", "alt__date": "2026-10-25"})
    assert post(coordinator, hmsc_screening, data).status_code == 302
    saved = observation(hmsc_screening, "alt")
    assert saved.range_source != "report"  # the prefilled site range was left as it was
    assert rendered(coordinator, hmsc_screening)["alt__uln"] == "55"
    facts = hmsc_screening.evaluations.latest().facts
    (alt,) = [r for r in facts["labs"] if r["code"] == "alt"]
    assert alt["reference_range"]["uln"] == "55"
