"""The entry page's layout, as the server renders it: every section on one page (tabs
come from the script; without it the page is the long form with jump links), each
section's progress, a refused save naming the section to open and linking to each
field, derived values beside their inputs from the evaluation — on page load and out
of band in the live panel's response — the changed saved values marked for the reason
for change, and one text box per date."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.helpers import enter_example, rendered

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(coordinator_a: Any) -> Client:
    client = Client()
    client.force_login(coordinator_a)
    return client


def page_of(client: Client, screening: Any) -> str:
    response = client.get(reverse("screening:entry", kwargs={"pk": screening.pk}))
    assert response.status_code == 200
    return str(response.content.decode())


def panel_of(client: Client, screening: Any, data: dict[str, Any]) -> str:
    url = reverse("screening:panel", kwargs={"pk": screening.pk})
    return str(client.post(url, data, HTTP_HX_REQUEST="true").content.decode())


def fragment(html: str, element_id: str) -> str:
    """The text inside the ``<span>`` with ``element_id`` (tags removed, spaces collapsed)."""
    start = html.index(f'<span id="{element_id}"')
    depth, at = 0, start
    for tag in re.finditer(r"<(/?)span\b[^>]*>", html[start:]):
        depth += -1 if tag.group(1) else 1
        if depth == 0:
            at = start + tag.end()
            break
    inner = html[start:at].split(">", 1)[1]
    return " ".join(re.sub(r"<[^>]+>", " ", inner).split())


def computed(html: str, code: str) -> str:
    """What the page shows for one derived value."""
    return fragment(html, f"computed-{code}")


def item_order(html: str, section: str) -> list[str]:
    start = html.index(f'id="section-{section}"')
    end = html.index("</section>", start)
    return re.findall(r'class="entry-item [^"]*" id="item-([a-z0-9_]+)"', html[start:end])


def test_every_section_is_on_the_page_with_jump_links_and_steps(
    coordinator: Client, hmsc_screening: Any
) -> None:
    html = page_of(coordinator, hmsc_screening)
    sections = re.findall(r'<section class="card mb-3 entry-section" id="section-(\w+)"', html)
    assert sections == [
        "demographics",
        "anthropometry",
        "dxa",
        "frax",
        "labs",
        "medications",
        "history",
        "answers",
        "judgment",
    ]
    # Nothing is hidden by the server: without the script the page is the long form.
    assert " hidden" not in html[
        html.index('id="entry-form"') : html.index("data-save-bar")
    ].replace("visually-hidden", "").replace("changed-note", "")
    for code in sections:
        assert f'href="#section-{code}" id="tab-{code}"' in html
    assert 'href="#section-anthropometry" data-step="anthropometry">Next: Anthropometry' in html
    assert 'data-step="history"><span aria-hidden="true">←</span> Previous' in html
    assert "entry-sections.js" in html


def test_each_section_says_how_far_it_is(coordinator: Client, hmsc_screening: Any) -> None:
    data = rendered(coordinator, hmsc_screening)
    data.update({"weight__value": "58.4", "weight__date": "2026-11-20"})
    panel = panel_of(coordinator, hmsc_screening, data)
    status = fragment(panel, "status-anthropometry")
    assert "1 of 2 entered" in status
    assert "1 missing" in status  # the height
    assert 'id="status-labs" class="section-status' in panel
    assert panel.count('data-testid="status-') == 9
    assert re.search(r'<span id="status-anthropometry" [^>]*hx-swap-oob="true"', panel)
    labs = fragment(page_of(coordinator, hmsc_screening), "status-labs")
    assert labs.startswith("0/13 0 of 13 entered 13 missing")


def test_a_refused_save_opens_the_section_at_fault_and_links_each_field(
    coordinator: Client, hmsc_screening: Any
) -> None:
    data = rendered(coordinator, hmsc_screening)
    data.update({"alt__value": "abc", "alt__date": "2026-11-19", "height__value": "1,55"})
    url = reverse("screening:entry", kwargs={"pk": hmsc_screening.pk})
    html = coordinator.post(url, data).content.decode()
    # Anthropometry comes first in the form, so it opens first.
    assert 'data-open-section="anthropometry"' in html
    summary = html[html.index('data-testid="error-summary"') :]
    summary = summary[: summary.index("</ul>")]
    assert '<a class="alert-link" href="#id_alt__value">ALT</a>: ALT: enter a number' in summary
    assert (
        '<a class="alert-link" href="#id_height__value">Height</a>: Height: enter a number'
        in summary
    )
    assert 'id="id_alt__value"' in html
    assert "1 error" in fragment(html, "status-labs")


def test_derived_values_stand_beside_their_inputs(coordinator: Client, hmsc_screening: Any) -> None:
    html = page_of(coordinator, hmsc_screening)
    assert item_order(html, "demographics") == ["sex", "date_of_birth", "age"]
    assert item_order(html, "anthropometry") == ["weight", "height", "bmi"]
    assert item_order(html, "labs")[-2:] == ["creatinine", "egfr"]
    # Years since the final menstrual period stands beside that event, in the history.
    history = item_order(html, "history")
    assert history.index("years_since_menopause") == history.index("final_menstrual_period") + 1


def test_derived_values_are_shown_on_page_load_from_saved_data(
    coordinator: Client, hmsc_screening: Any, coordinator_a: Any, investigator_a: Any
) -> None:
    html = page_of(coordinator, hmsc_screening)
    assert computed(html, "age") == "70 years"
    assert computed(html, "bmi") == "not calculated yet — needs Body weight; Height"
    assert computed(html, "egfr") == "not calculated yet — needs Serum creatinine"
    enter_example(coordinator_a, investigator_a, hmsc_screening, "hmsc100-eligible")
    html = page_of(coordinator, hmsc_screening)
    assert computed(html, "bmi") == "24.3 kg/m²"
    assert computed(html, "egfr") == "82 mL/min/1.73 m²"
    assert computed(html, "years_since_menopause") == "20 years"
    assert 'aria-live="polite"' in html[html.index('id="computed-bmi"') :][:200]


def test_the_live_panel_sends_derived_values_out_of_band(
    coordinator: Client, hmsc_screening: Any
) -> None:
    data = rendered(coordinator, hmsc_screening)
    data.update(
        {
            "weight__value": "128.7",
            "weight__unit": "lb",
            "weight__date": "2026-11-20",
            "height__value": "155",
            "height__date": "2026-11-20",
            "creatinine__value": "69",
            "creatinine__unit": "µmol/L",
            "creatinine__date": "2026-11-19",
        }
    )
    panel = panel_of(coordinator, hmsc_screening, data)
    assert (
        'aria-live="polite" aria-atomic="true" data-testid="computed-bmi" hx-swap-oob="innerHTML">'
        in panel
    )
    assert computed(panel, "bmi") == "24.3 kg/m²"  # 128.7 lb is 58.4 kg
    assert computed(panel, "egfr") == "82 mL/min/1.73 m²"
    assert computed(panel, "age") == "70 years"
    data.update({"height__value": ""})
    assert computed(panel_of(coordinator, hmsc_screening, data), "bmi") == (
        "not calculated yet — needs Height"
    )
    assert not hmsc_screening.observations.exists()


def test_risk_score_totals_stand_beside_their_checklists(
    coordinator: Client, nct_screening: Any, coordinator_a: Any, investigator_a: Any
) -> None:
    html = page_of(coordinator, nct_screening)
    assert item_order(html, "scores") == ["padua", "padua_score", "caprini_2005", "caprini_score"]
    assert computed(html, "padua_score") == (
        "not calculated yet — needs Body weight; Height; Padua score items"
    )
    enter_example(coordinator_a, investigator_a, nct_screening, "nct06495437-eligible")
    html = page_of(coordinator, nct_screening)
    assert computed(html, "padua_score") == "0"
    assert computed(html, "caprini_score") == "2"
    data = rendered(coordinator, nct_screening)
    data["padua"] = ["active_cancer", "reduced_mobility"]
    data.pop("padua__none", None)
    assert computed(panel_of(coordinator, nct_screening, data), "padua_score") == "6"


def test_changed_saved_values_are_marked_for_the_reason(
    coordinator: Client, hmsc_screening: Any, coordinator_a: Any, investigator_a: Any
) -> None:
    enter_example(coordinator_a, investigator_a, hmsc_screening, "hmsc100-eligible")
    html = page_of(coordinator, hmsc_screening)
    assert 'id="item-weight" data-saved' in html
    assert "is-changed" not in html
    data = rendered(coordinator, hmsc_screening)
    data.update({"weight__value": "60.1", "alt__value": ""})
    url = reverse("screening:entry", kwargs={"pk": hmsc_screening.pk})
    html = coordinator.post(url, data).content.decode()
    assert (
        '<a class="alert-link" href="#id_reason">Give a reason for changing data that was '
        "already saved.</a>" in html
    )
    assert 'is-changed" id="item-weight" data-saved data-label="Body weight" data-changed' in html
    assert 'is-changed" id="item-alt" data-saved data-label="ALT" data-changed' in html
    assert 'id="item-height" data-saved data-label="Height">' in html  # saved, not changed
    box = html[html.index("data-reason-covers") :]
    box = box[: box.index("</p>")]
    assert '<a href="#item-weight">Body weight</a>, <a href="#item-alt">ALT</a>.' in box
    # The reason box is inside the sticky save bar, beside the buttons.
    bar = html[html.index("data-save-bar") :]
    assert bar.index('id="section-reason"') < bar.index('name="save"')


def test_a_date_is_one_text_box_typed_as_iso(coordinator: Client, hmsc_screening: Any) -> None:
    html = page_of(coordinator, hmsc_screening)
    box = re.search(r'<input type="text" name="weight__date"[^>]*>', html)
    assert box, "the date is a text box"
    assert 'placeholder="YYYY-MM-DD"' in box.group(0)
    assert 'type="date"' not in html
    data = rendered(coordinator, hmsc_screening)
    data.update({"weight__value": "58.4", "weight__date": "20.11.2026x"})
    url = reverse("screening:entry", kwargs={"pk": hmsc_screening.pk})
    html = coordinator.post(url, data).content.decode()
    assert "Enter the date as YYYY-MM-DD, e.g. 2026-11-20." in html
    data.update({"weight__date": "2026-11-20"})
    assert coordinator.post(url, data).status_code == 302
    assert hmsc_screening.observations.get(code="weight").observed_on.isoformat() == "2026-11-20"


def test_a_save_comes_back_to_the_section_it_was_made_from(
    coordinator: Client, hmsc_screening: Any
) -> None:
    url = reverse("screening:entry", kwargs={"pk": hmsc_screening.pk})
    data = rendered(coordinator, hmsc_screening)
    data.update({"alt__value": "22", "alt__date": "2026-11-19", "entry_section": "labs"})
    assert coordinator.post(url, data)["Location"] == f"{url}#section-labs"
    # A refused save, with no error in a section, reopens the section it came from.
    data = rendered(coordinator, hmsc_screening)
    data.update({"alt__value": "23", "entry_section": "answers"})
    assert 'data-open-section="answers"' in coordinator.post(url, data).content.decode()
    data.update({"reason_code": "entered_in_error", "entry_section": "x\r\nSet"})
    assert coordinator.post(url, data)["Location"] == url


def test_the_log_filters_take_a_date_in_one_box(coordinator: Client, hmsc_screening: Any) -> None:
    html = coordinator.get(reverse("screening:log")).content.decode()
    assert re.search(r'<input type="text" name="since"[^>]*placeholder="YYYY-MM-DD"', html)
    assert 'type="date"' not in html
    filtered = coordinator.get(reverse("screening:log"), {"since": "2026-11-01"})
    assert filtered.status_code == 200
    assert 'value="2026-11-01"' in filtered.content.decode()
