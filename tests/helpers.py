"""Helpers the tests share that are not fixtures: constants, and short ways to
register, start and fill a screening through the real services.

Fixtures live in the ``conftest.py`` files; anything a test module wants to
import lives here (or in a package's own ``helpers.py``), so that no test
module ever imports another (``tests/test_suite_hygiene.py`` checks it).
"""

from __future__ import annotations

import json
import os
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from django.test import Client

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "protocols" / "examples"
PASSWORD = "correct-horse-battery-staple"
IN_CI = os.environ.get("CI", "").lower() == "true"

# The example candidates are screened on 2026-11-20; the tests run "the day after",
# so that "in the future" means the same thing whenever the suite runs.
TODAY = date(2026, 11, 21)
SCREENING_DATE = date(2026, 11, 20)
CONSENT_DATE = date(2026, 11, 18)

# The two trials Eligo came with; the other definitions in protocols/ are registry trials.
SEED_PROTOCOLS = ("hmsc100", "nct06495437")


def require_or_skip(available: bool, what: str) -> None:
    """Skip a test whose service is missing locally; in CI the service is required."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{what} is required when CI=true but is not available.")
    pytest.skip(f"{what} is not available on this machine.")


def client_for(world: dict[str, Any], persona: str) -> Client:
    """A test client signed in as ``persona`` of ``world`` ("anonymous": nobody)."""
    from django.test import Client

    client = Client()
    if persona != "anonymous":
        client.force_login(world[persona])
    return client


def example(name: str) -> dict[str, Any]:
    """One of the seed protocols' example candidates, as the engine's facts."""
    data: dict[str, Any] = json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))
    return data


def register(
    user: Any,
    trial: Any,
    site: Any,
    *,
    sex: str = "F",
    born: date = date(1956, 4, 2),
    name: str = "Erika Mustermann",
) -> Any:
    """Register a candidate for ``trial`` at ``site`` as ``user``."""
    from screening.services import IdentityData, candidate_register

    return candidate_register(
        user=user,
        trial=trial,
        site=site,
        identity=IdentityData(full_name=name, date_of_birth=born, hospital_number="H-1"),
        sex=sex,
    )


def start(user: Any, candidate: Any, **dates: date) -> Any:
    """Start the candidate's screening (screened on 20 Nov 2026 unless told)."""
    from screening.services import screening_start

    return screening_start(
        user=user,
        candidate=candidate,
        screening_date=dates.get("screening_date", SCREENING_DATE),
        consent_date=dates.get("consent_date", CONSENT_DATE),
    )


def save(user: Any, screening: Any, changes: Any, **kwargs: Any) -> Any:
    """Save ``changes`` to the screening at its current revision (unless told)."""
    from screening.services import screening_save

    screening.refresh_from_db()
    return screening_save(
        user=user,
        screening=screening,
        changes=changes,
        expected_revision=kwargs.pop("expected_revision", screening.revision),
        **kwargs,
    )


def import_protocols(site_a: Any, site_b: Any, names: tuple[str, ...]) -> dict[str, Any]:
    """Import and activate ``protocols/<name>.yaml`` for each name, linked to both sites,
    with the built-in catalogue and the demo reference ranges; versions by trial code."""
    from trials.catalogue import sync_builtin_catalogue
    from trials.demo import load_demo_reference_ranges
    from trials.models import TrialSite
    from trials.services.protocols import protocol_import

    sync_builtin_catalogue()
    load_demo_reference_ranges()
    versions = {}
    for path in (ROOT / "protocols" / f"{name}.yaml" for name in names):
        outcome = protocol_import(
            text=path.read_text(encoding="utf-8"),
            source_name=f"protocols/{path.name}",
            user=None,
            activate=True,
        )
        version = outcome.version
        versions[version.trial.code] = version
        for site in (site_a, site_b):
            TrialSite.objects.get_or_create(trial=version.trial, site=site)
    return versions


def enter_example(coordinator: Any, investigator: Any, screening: Any, name: str) -> Any:
    """Enter an example candidate: the coordinator the data, the investigator the
    judgments. Returns the outcome of the investigator's save."""
    from dataclasses import replace

    from screening.services import ScreeningChanges
    from screening.services.changes import changes_from_facts

    changes = changes_from_facts(example(name))
    save(coordinator, screening, replace(changes, judgments={}))
    return save(investigator, screening, ScreeningChanges(judgments=changes.judgments))


def sign_withdrawal(coordinator: Any, investigator: Any, screening: Any) -> Any:
    """The coordinator proposes "withdrawn (declined)" and the investigator signs it:
    the quickest signed decision. Returns the signature."""
    from screening.services import decision_propose, decision_sign

    decision = decision_propose(
        user=coordinator, screening=screening, outcome="withdrawn", reason_category="declined"
    )
    return decision_sign(user=investigator, decision=decision, password=PASSWORD)


# --- The data-entry form, read as a browser would ---------------------------------


class EntryFormReader(HTMLParser):
    """What a browser would submit from ``#entry-form`` as rendered."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self.in_form = False
        self.in_template = 0
        self.select: str | None = None
        self.first_option: str | None = None
        self.selected = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("id") == "entry-form":
            self.in_form = True
        if not self.in_form:
            return
        if tag == "template":
            self.in_template += 1
        if self.in_template:
            return
        name = a.get("name")
        if tag == "input" and name and "disabled" not in a:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.data.setdefault(name, []).append(a.get("value") or "on")
            elif kind != "submit":
                self.data.setdefault(name, []).append(a.get("value", ""))
        elif tag == "select" and name:
            self.select, self.first_option, self.selected = name, None, False
        elif tag == "option" and self.select:
            if self.first_option is None:
                self.first_option = a.get("value", "")
            if "selected" in a:
                self.data.setdefault(self.select, []).append(a.get("value", ""))
                self.selected = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "template" and self.in_template:
            self.in_template -= 1
        elif tag == "select" and self.select:
            if not self.selected and self.first_option is not None:
                self.data.setdefault(self.select, []).append(self.first_option)
            self.select = None
        elif tag == "form":
            self.in_form = False


def rendered(client: Any, screening: Any) -> dict[str, Any]:
    """The data-entry form's fields as the browser would post them back."""
    reader = EntryFormReader()
    from django.urls import reverse

    response = client.get(reverse("screening:entry", kwargs={"pk": screening.pk}))
    assert response.status_code == 200
    reader.feed(response.content.decode())
    return {k: v if len(v) > 1 else v[0] for k, v in reader.data.items()}


def ready_export(owner: Any, file_format: str = "csv") -> Any:
    """An export of the screening log ``owner`` asked for, written and ready to
    download (its file holds the CSV header alone)."""
    from django.conf import settings
    from django.utils import timezone

    from screening.models import ExportFile

    export = ExportFile.objects.filter(owner=owner, file_format=file_format).first()
    if export is not None:
        return export
    export = ExportFile.objects.create(
        owner=owner,
        file_format=file_format,
        status="ready",
        file_name=f"export-{owner.pk}-{file_format}.{file_format}",
        expires_at=timezone.now() + timezone.timedelta(days=1),
    )
    folder = Path(settings.EXPORT_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / export.file_name).write_bytes(b"\xef\xbb\xbfscreening_number\r\n")
    return export
