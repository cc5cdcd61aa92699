"""Every URL × every persona answers what the access rules say.

A view added without a rule here fails ``test_every_url_has_an_access_rule``,
so nobody can ship a page whose access was never decided. Outsiders get 404,
never 403: nobody learns what exists at another site.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.backends import DATA_MANAGER_APPS
from tests.helpers import client_for

PERSONAS = (
    "anonymous",
    "coordinator_a",
    "investigator_a",
    "coordinator_b",
    "monitor",
    "data_manager",
)
STAFF = ("coordinator_a", "investigator_a", "coordinator_b", "monitor", "data_manager")


def _everyone(status: int, **overrides: int) -> dict[str, int]:
    return {persona: overrides.get(persona, status) for persona in PERSONAS}


def _signed_in(status: int, **overrides: int) -> dict[str, int]:
    return _everyone(status, anonymous=302, **overrides)


_A_ONLY = _signed_in(404, coordinator_a=200, investigator_a=200)
_A_OR_MONITOR = _signed_in(404, coordinator_a=200, investigator_a=200, monitor=200)


@dataclass(frozen=True)
class Rule:
    expect: dict[str, int]
    kwargs: Callable[[dict[str, Any]], dict[str, Any]] = field(default=lambda world: {})


RULES: dict[str, Rule] = {
    "home": Rule(_signed_in(200)),
    "login": Rule(_everyone(302, anonymous=200)),
    "logout": Rule(_everyone(405)),  # POST only
    "password_change": Rule(_signed_in(200)),
    "healthz": Rule(_everyone(200)),
    "audit:trail": Rule(_signed_in(404, data_manager=200)),
    "audit:history": Rule(
        _signed_in(404, coordinator_a=200, investigator_a=200, data_manager=200),
        kwargs=lambda world: {"object_type": "trials.site", "object_id": world["site_a"].pk},
    ),
    "screening:candidates": Rule(_signed_in(200, data_manager=404)),
    "screening:log": Rule(_signed_in(200, data_manager=404)),
    "screening:register": Rule(_signed_in(200, monitor=404, data_manager=404)),
    "screening:candidate": Rule(_A_OR_MONITOR, kwargs=lambda world: {"pk": world["candidate"].pk}),
    "screening:summary": Rule(_A_OR_MONITOR, kwargs=lambda world: {"pk": world["screening"].pk}),
    "screening:record": Rule(_A_OR_MONITOR, kwargs=lambda world: {"pk": world["screening"].pk}),
    "screening:record_pdf": Rule(_A_OR_MONITOR, kwargs=lambda world: {"pk": world["screening"].pk}),
    "screening:entry": Rule(_A_ONLY, kwargs=lambda world: {"pk": world["screening"].pk}),
    "screening:decision": Rule(_A_ONLY, kwargs=lambda world: {"pk": world["screening"].pk}),
    "screening:rescreen": Rule(_A_ONLY, kwargs=lambda world: {"pk": world["screening"].pk}),
    "screening:enrol": Rule(_A_ONLY, kwargs=lambda world: {"pk": world["screening"].pk}),
    "screening:identity": Rule(_A_ONLY, kwargs=lambda world: {"pk": world["candidate"].pk}),
    # Only an investigator signs; with nothing proposed yet, to the summary.
    "screening:sign": Rule(
        _signed_in(404, investigator_a=302), kwargs=lambda world: {"pk": world["screening"].pk}
    ),
    "screening:panel": Rule(_signed_in(405), kwargs=lambda world: {"pk": world["screening"].pk}),
}


def _walk(patterns: list[Any], namespace: str = "") -> Iterator[str]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue  # the admin is checked model by model below
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}"


URL_NAMES = sorted(set(_walk(get_resolver().url_patterns)))


def test_every_url_has_an_access_rule() -> None:
    missing = [name for name in URL_NAMES if name not in RULES]
    assert not missing, f"Add access rules for these URLs to tests/test_access_matrix.py: {missing}"
    stale = [name for name in RULES if name not in URL_NAMES]
    assert not stale, f"Rules for URLs that no longer exist: {stale}"


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", URL_NAMES)
def test_each_persona_gets_the_expected_answer(
    world: dict[str, Any], name: str, persona: str
) -> None:
    rule = RULES.get(name)
    if rule is None:
        pytest.fail(f"No access rule for {name}")
    url = reverse(name, kwargs=rule.kwargs(world))
    response = client_for(world, persona).get(url)
    assert response.status_code == rule.expect[persona], (name, persona, url)
    if response.status_code == 302 and persona == "anonymous" and name != "login":
        assert response["Location"].startswith("/login/")


@pytest.mark.parametrize("persona", ["coordinator_b", "monitor", "data_manager"])
def test_outsiders_cannot_post_to_the_live_panel(world: dict[str, Any], persona: str) -> None:
    screening = world["screening"]
    url = reverse("screening:panel", kwargs={"pk": screening.pk})
    response = client_for(world, persona).post(url, {"expected_revision": screening.revision})
    assert response.status_code == 404


ADMIN_MODELS = sorted(
    (model._meta.app_label, model._meta.model_name) for model in admin.site._registry
)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("app_label", "model_name"), ADMIN_MODELS)
def test_only_data_managers_reach_configuration_in_the_admin(
    world: dict[str, Any], persona: str, app_label: str, model_name: str
) -> None:
    url = reverse(f"admin:{app_label}_{model_name}_changelist")
    response = client_for(world, persona).get(url)
    if persona == "data_manager" and app_label in DATA_MANAGER_APPS:
        assert response.status_code == 200
    elif persona == "data_manager":
        assert response.status_code == 403, "data managers never see screening data"
    else:
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")
