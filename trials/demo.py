"""Demo data for a fresh development site.

Two demo sites, one user per role, both seed protocols imported and active,
and demo reference ranges for every laboratory test the protocols use. The
ranges are typical adult values marked ``is_demo``: illustrative, never
clinical. Loading again changes nothing that exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from accounts.models import SiteMembership, SiteRole, User
from audit.services import audit_record, configuration_record
from trials.catalogue import sync_builtin_catalogue
from trials.models import MonitorAssignment, Quantity, ReferenceRange, Site, TrialSite
from trials.services.protocols import ImportOutcome, protocol_import

PROTOCOLS_DIR = Path(settings.BASE_DIR) / "protocols"
DEMO_RANGES_FROM = date(2020, 1, 1)

DEMO_PASSWORD = "eligo-demo-2026"  # noqa: S105 -- printed at start-up; demo sites only


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    role: str
    site_code: str | None = None
    site_role: str | None = None
    monitor: bool = False
    data_manager: bool = False


DEMO_SITES = (
    ("A01", "Demo University Hospital (demo)", "DE", "Europe/Berlin", "de"),
    ("B01", "Demo City Clinic (demo)", "GB", "Europe/London", "en-gb"),
)

DEMO_USERS = (
    DemoUser(
        "coordinator",
        "Clara Coordinator",
        "Site coordinator, site A01",
        "A01",
        SiteRole.COORDINATOR,
    ),
    DemoUser(
        "investigator", "Ivan Investigator", "Investigator, site A01", "A01", SiteRole.INVESTIGATOR
    ),
    DemoUser(
        "coordinator.b",
        "Bea Coordinator",
        "Site coordinator, site B01",
        "B01",
        SiteRole.COORDINATOR,
    ),
    DemoUser("monitor", "Mona Monitor", "Sponsor monitor", monitor=True),
    DemoUser("datamanager", "Dan Datamanager", "Data manager", data_manager=True),
)

DEMO_USERNAMES = [user.username for user in DEMO_USERS]

# (quantity, sex, LLN, ULN, unit) per site: typical adult ranges, for demonstration only.
# Site B's laboratory differs slightly, as real laboratories do.
DEMO_RANGES: dict[str, tuple[tuple[str, str, str | None, str | None, str], ...]] = {
    "A01": (
        ("alt", "", "7", "40", "U/L"),
        ("ast", "", "10", "40", "U/L"),
        ("alp", "", "40", "130", "U/L"),
        ("total_bilirubin", "", "3", "21", "µmol/L"),
        ("creatinine", "F", "0.50", "1.10", "mg/dL"),
        ("creatinine", "M", "0.70", "1.30", "mg/dL"),
        ("calcium", "", "2.15", "2.55", "mmol/L"),
        ("tsh", "", "0.45", "4.50", "mIU/L"),
        ("free_t4", "", "12.0", "22.0", "pmol/L"),
        ("hbv_dna", "", None, "20", "IU/mL"),
        ("hcv_rna", "", None, "15", "IU/mL"),
        ("fasting_glucose", "", "3.9", "6.0", "mmol/L"),
        ("fasting_insulin", "", "2.6", "24.9", "µU/mL"),
        ("hba1c", "", "4.0", "5.6", "%"),
    ),
    "B01": (
        ("alt", "F", "0", "33", "U/L"),
        ("alt", "M", "0", "41", "U/L"),
        ("ast", "", "0", "35", "U/L"),
        ("alp", "", "30", "130", "U/L"),
        ("total_bilirubin", "", "0", "21", "µmol/L"),
        ("creatinine", "F", "45", "84", "µmol/L"),
        ("creatinine", "M", "59", "104", "µmol/L"),
        ("calcium", "", "2.20", "2.60", "mmol/L"),
        ("tsh", "", "0.27", "4.20", "mIU/L"),
        ("free_t4", "", "12.0", "22.0", "pmol/L"),
        ("hbv_dna", "", None, "10", "IU/mL"),
        ("hcv_rna", "", None, "12", "IU/mL"),
        ("fasting_glucose", "", "3.5", "5.9", "mmol/L"),
        ("fasting_insulin", "", "3.0", "25.0", "µU/mL"),
        ("hba1c", "", "4.0", "5.9", "%"),
    ),
}


DEMO_REASON = "Demonstration data (load_demo)"


def _created(model: Any, defaults: dict[str, Any] | None = None, **lookup: Any) -> Any:
    """``get_or_create``, with a configuration audit event when the row is new."""
    with transaction.atomic():
        row, created = model.objects.get_or_create(defaults=defaults or {}, **lookup)
        if created:
            configuration_record(actor=None, obj=row, verb="created", before={}, reason=DEMO_REASON)
    return row, created


def load_demo_protocols() -> list[ImportOutcome]:
    """Import and activate every definition in ``protocols/``; link both demo sites."""
    outcomes = []
    for path in sorted(PROTOCOLS_DIR.glob("*.yaml")):
        outcome = protocol_import(
            text=path.read_text(encoding="utf-8"),
            source_name=f"protocols/{path.name}",
            user=None,
            activate=True,
            activation_reason="Demonstration data (load_demo).",
        )
        outcomes.append(outcome)
        trial = outcome.version.trial
        for site in Site.objects.filter(code__in=[code for code, *_ in DEMO_SITES]):
            _created(TrialSite, trial=trial, site=site)
        for monitor in User.objects.filter(is_monitor=True, username__in=DEMO_USERNAMES):
            _created(MonitorAssignment, monitor=monitor, trial=trial)
    return outcomes


def load_demo_reference_ranges() -> int:
    created = 0
    quantities = {q.code: q for q in Quantity.objects.filter(kind="lab")}
    for site in Site.objects.filter(code__in=DEMO_RANGES):
        for code, sex, lln, uln, unit in DEMO_RANGES[site.code]:
            _, was_created = _created(
                ReferenceRange,
                site=site,
                quantity=quantities[code],
                sex=sex,
                age_min=None,
                age_max=None,
                valid_from=DEMO_RANGES_FROM,
                defaults={
                    "lln": None if lln is None else Decimal(lln),
                    "uln": None if uln is None else Decimal(uln),
                    "unit": unit,
                    "is_demo": True,
                    "source": "Demo values (typical adult ranges), not for clinical use",
                },
            )
            created += was_created
    return created


@transaction.atomic
def load_demo_data() -> list[DemoUser]:
    """Create what does not exist yet; return the demo users."""
    sites = {}
    for code, name, country, tz, language in DEMO_SITES:
        sites[code], _ = _created(
            Site,
            code=code,
            defaults={
                "name": name,
                "country": country,
                "time_zone": tz,
                "default_language": language,
            },
        )
    for demo in DEMO_USERS:
        user, created = _created(
            User,
            username=demo.username,
            defaults={
                "full_name": demo.full_name,
                "email": f"{demo.username}@demo.invalid",
                "is_monitor": demo.monitor,
                "is_data_manager": demo.data_manager,
                "is_staff": demo.data_manager,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            audit_record(actor=None, action="accounts.password.set", obj=user, reason=DEMO_REASON)
        if demo.site_code and demo.site_role:
            _created(
                SiteMembership,
                user=user,
                site=sites[demo.site_code],
                defaults={"role": demo.site_role},
            )
    sync_builtin_catalogue()
    load_demo_reference_ranges()
    load_demo_protocols()
    return list(DEMO_USERS)
