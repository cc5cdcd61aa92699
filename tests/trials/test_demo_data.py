from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from accounts.models import SiteMembership, User
from trials.demo import DEMO_PASSWORD
from trials.models import Site


@pytest.mark.django_db
def test_demo_data_creates_two_sites_and_a_user_per_role(settings: Any) -> None:
    settings.DEBUG = True
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert set(Site.objects.values_list("code", flat=True)) == {"A01", "B01"}
    roles = {m.user.username: m.role for m in SiteMembership.objects.select_related("user")}
    assert roles["coordinator"] == "coordinator"
    assert roles["investigator"] == "investigator"
    assert User.objects.get(username="monitor").is_monitor
    assert User.objects.get(username="datamanager").is_data_manager
    assert User.objects.get(username="investigator").check_password(DEMO_PASSWORD)
    assert f"password {DEMO_PASSWORD}" in out.getvalue()


@pytest.mark.django_db
def test_loading_demo_data_twice_changes_nothing(settings: Any) -> None:
    settings.DEBUG = True
    call_command("load_demo", stdout=StringIO())
    User.objects.filter(username="coordinator").update(full_name="Renamed By Hand")
    counts = (Site.objects.count(), User.objects.count(), SiteMembership.objects.count())
    call_command("load_demo", stdout=StringIO())
    assert (Site.objects.count(), User.objects.count(), SiteMembership.objects.count()) == counts
    assert User.objects.get(username="coordinator").full_name == "Renamed By Hand"


@pytest.mark.django_db
def test_demo_data_is_refused_with_debug_off(settings: Any) -> None:
    settings.DEBUG = False
    with pytest.raises(CommandError, match="refusing with DEBUG off"):
        call_command("load_demo", stdout=StringIO())
    assert not User.objects.exists()


@pytest.mark.django_db
def test_demo_data_activates_every_protocol_with_ranges_for_every_lab(settings: Any) -> None:
    from eligibility import load_definition_file
    from trials.demo import PROTOCOLS_DIR
    from trials.models import MonitorAssignment, ProtocolVersion, ReferenceRange
    from trials.services.protocols import load_version

    settings.DEBUG = True
    call_command("load_demo", stdout=StringIO())
    active = ProtocolVersion.objects.active()
    in_files = {load_definition_file(p).trial_code for p in PROTOCOLS_DIR.glob("*.yaml")}
    assert {"HMSC100", "NCT06495437"} < in_files
    assert set(active.values_list("trial__code", flat=True)) == in_files
    for version in active:
        needs_range = [
            spec.code
            for spec in load_version(version).requirements().inputs()
            if spec.needs_reference_range
        ]
        # Both seeds compare results with the site's own limits (x ULN, outside range).
        assert needs_range or version.trial.code not in {"HMSC100", "NCT06495437"}, version
        for site_code in ("A01", "B01"):
            have = set(
                ReferenceRange.objects.filter(site__code=site_code, is_demo=True).values_list(
                    "quantity__code", flat=True
                )
            )
            assert set(needs_range) <= have, (
                version.trial.code,
                site_code,
                set(needs_range) - have,
            )
        assert version.trial.sites.count() == 2
        assert MonitorAssignment.objects.filter(
            trial=version.trial, monitor__username="monitor"
        ).exists()
