"""Eligo's security headers: the Content-Security-Policy, Permissions-Policy,
Referrer-Policy and the rest on every kind of page as each persona, and
``Cache-Control: no-store`` on every page and every download (each URL name, as
someone who may read it, so that a page added later is covered without a list).

The browser tests (``tests/browser/``) show the pages satisfy the policy; here, that
the policy is the one intended, and that no template brings inline code back.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from pypdf import PdfReader

from config.headers import DENIED_FEATURES
from tests.helpers import ROOT, client_for, ready_export

pytestmark = pytest.mark.django_db

PERSONAS = ("anonymous", "coordinator_a", "investigator_a", "monitor", "data_manager")


def policy(response: Any) -> dict[str, list[str]]:
    """The Content-Security-Policy header as directive → sources."""
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def no_store(response: Any) -> bool:
    return "no-store" in {d.strip() for d in response.get("Cache-Control", "").split(",")}


@pytest.fixture
def proposed(world: dict[str, Any]) -> dict[str, Any]:
    """The world, with a decision awaiting the investigator's signature (so that the
    signing page has something to show)."""
    from screening.services import decision_propose

    decision_propose(
        user=world["coordinator_a"],
        screening=world["screening"],
        outcome="withdrawn",
        reason_category="declined",
    )
    return world


# --- The policy itself ---------------------------------------------------------------


def test_the_policy_allows_only_eligos_own_files(client: Client) -> None:
    directives = policy(client.get(reverse("login")))
    assert directives == {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
    everything = " ".join(source for sources in directives.values() for source in sources)
    for loophole in ("'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*", "http:"):
        assert loophole not in everything.split()


REPRESENTATIVE = {
    "anonymous": ["login"],
    "coordinator_a": ["home", "screening:summary", "screening:candidate", "screening:record"],
    "investigator_a": ["screening:entry", "screening:sign"],
    "monitor": ["screening:summary", "screening:log"],
    "data_manager": ["audit:trail", "admin:index", "admin:accounts_user_changelist"],
}


def _kwargs(name: str, world: dict[str, Any]) -> dict[str, Any]:
    if name in ("screening:candidate", "screening:identity"):
        return {"pk": world["candidate"].pk}
    if name.startswith("screening:") and name not in ("screening:candidates", "screening:log"):
        return {"pk": world["screening"].pk}
    return {}


@pytest.mark.parametrize(
    ("persona", "name"),
    [(persona, name) for persona, names in REPRESENTATIVE.items() for name in names],
)
def test_every_persona_gets_the_headers(proposed: dict[str, Any], persona: str, name: str) -> None:
    response = client_for(proposed, persona).get(reverse(name, kwargs=_kwargs(name, proposed)))
    assert response.status_code == 200, (persona, name)
    # The admin runs under the same policy as the rest (docs/security.md says why).
    assert policy(response)["script-src"] == ["'self'"]
    assert policy(response)["style-src"] == ["'self'"]
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    features = dict(
        item.strip().split("=", 1) for item in response["Permissions-Policy"].split(",")
    )
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert features[feature] == "()", feature
    assert set(features) == set(DENIED_FEATURES)
    assert no_store(response)


# --- no-store: every page and every download ---------------------------------------


def _named_routes(patterns: list[Any], namespace: str = "", prefix: str = "") -> Iterator[Any]:
    """(name, route) of every named URL outside the admin."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue  # the admin marks its own pages never-cache; tested below
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _named_routes(entry.url_patterns, inner, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", prefix + str(entry.pattern)


ROUTES = sorted(set(_named_routes(get_resolver().url_patterns)))


def _arguments(route: str, world: dict[str, Any]) -> dict[str, Any]:
    """What each URL's parameters take in ``world``: the candidate for candidate URLs,
    otherwise the screening; for an audit history, the candidate's own story; for a
    set-password link, one that no longer works; for a trial's summary, the trial."""
    found = set(re.findall(r"<(?:\w+:)?(\w+)>", route))
    if not found:
        return {}
    if found == {"pk"} and route.startswith("notifications/"):
        from notifications.models import Kind
        from notifications.services import Note, notify

        note = Note(kind=Kind.AUDIT_BROKEN, key="audit_broken:2026-11-21", title="Audit check")
        return {"pk": notify(recipients=[world["coordinator_a"]], note=note)[0].pk}  # hers alone
    if found == {"pk"} and "amendments/" in route:
        return {"pk": world["screening"].protocol_version_id}  # a version's forecast
    if found == {"pk"} and "exports/" in route:
        return {"pk": ready_export(world["coordinator_a"]).pk}  # its owner's alone
    if found == {"pk"}:
        record = world["candidate"] if "candidates/" in route else world["screening"]
        return {"pk": record.pk}
    if found == {"object_type", "object_id"}:
        return {"object_type": "screening.candidate", "object_id": world["candidate"].pk}
    if found == {"uidb64", "token"}:
        # A link that has expired: the page still answers, and is still never stored.
        return {"uidb64": "MQ", "token": "expired-link"}
    if found == {"code"}:
        return {"code": world["trial"].code}  # a trial's summary
    if found == {"slug"}:
        return {"slug": "entry"}  # a help page
    if found == {"qid"}:
        from screening.services.queries import query_raise

        query = query_raise(user=world["monitor"], screening=world["screening"], text="Source?")
        return {"qid": query.pk}  # a query's thread
    raise AssertionError(f"Say in _arguments what {route!r} takes: {found}")


# Only POST does something here; what it answers is checked the same way.
NOTIFYING = {"notifications:read", "notifications:read_all", "notifications:preferences"}
POST_ONLY = {
    "logout",
    "language",
    "screening:panel",
    "screening:verify",
    "screening:unverify",
    *NOTIFYING,
}
# What a POST does, it answers with a redirect back to the page it was sent from.
ANSWERS_WITH_REDIRECT = {"logout", "language", "screening:verify", "screening:unverify", *NOTIFYING}


@pytest.mark.parametrize(("name", "route"), ROUTES, ids=[name for name, _ in ROUTES])
def test_every_page_is_never_stored(proposed: dict[str, Any], name: str, route: str) -> None:
    """As each persona (from whoever may see it to whoever may not): never stored,
    and someone may read it, so the header was checked on the page with its content."""
    url = reverse(name, kwargs=_arguments(route, proposed))
    read = False
    for persona in PERSONAS:
        client = client_for(proposed, persona)
        response = client.post(url) if name in POST_ONLY else client.get(url)
        assert no_store(response), (name, persona, response.status_code)
        read = read or response.status_code == 200
        read = read or (name in ANSWERS_WITH_REDIRECT and response.status_code == 302)
    assert read, f"nobody could open {name}: give the test a world in which someone can"


DOWNLOADS = [
    ("screening:log", "?format=csv", "coordinator_a"),
    ("screening:log", "?format=csv", "monitor"),
    ("screening:log", "?format=xlsx", "monitor"),
    ("screening:log", "?format=sdtm-ie", "monitor"),
    ("screening:log", "?format=sdtm-ds", "monitor"),
    ("screening:log", "?format=pdf", "monitor"),
    ("screening:history", "?format=csv", "coordinator_a"),
    ("screening:history", "?format=csv", "monitor"),
    ("screening:record_pdf", "", "coordinator_a"),
    ("screening:record_pdf", "", "monitor"),
    ("audit:trail", "?format=csv", "data_manager"),
    ("audit:history", "?format=csv", "coordinator_a"),
]


@pytest.mark.parametrize(("name", "query", "persona"), DOWNLOADS)
def test_every_download_is_never_stored(
    world: dict[str, Any], name: str, query: str, persona: str
) -> None:
    route = dict(ROUTES)[name]
    response = client_for(world, persona).get(
        reverse(name, kwargs=_arguments(route, world)) + query
    )
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert no_store(response)
    assert "private" in response["Cache-Control"]


def test_the_admin_is_never_stored_either(world: dict[str, Any]) -> None:
    client = client_for(world, "data_manager")
    for url in (reverse("admin:index"), reverse("admin:accounts_user_changelist")):
        assert no_store(client.get(url)), url


@override_settings(WHITENOISE_USE_FINDERS=True)
def test_static_files_keep_their_cache_lifetime() -> None:
    """The middleware sits after WhiteNoise: Eligo's own CSS and scripts may be cached."""
    response = Client().get("/static/eligo/eligo.css")
    assert response.status_code == 200
    assert not no_store(response)
    assert "Permissions-Policy" not in response


# --- No inline code in any template ---------------------------------------------------

INLINE = {
    "a <script> with code in it": re.compile(
        r"<script\b(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>\s*\S", re.IGNORECASE
    ),
    "a style attribute": re.compile(r"\sstyle\s*=", re.IGNORECASE),
    "an event-handler attribute": re.compile(r"\son[a-z]+\s*=\s*[\"']", re.IGNORECASE),
    "an hx-on attribute": re.compile(r"\shx-on", re.IGNORECASE),
    "a javascript: link": re.compile(r"javascript:", re.IGNORECASE),
}
# The record's PDF is rendered on the server and never reaches a browser as HTML; its
# page-margin styles name the record, so they stay in the template (PDF only).
PDF_ONLY_STYLE = "screening/record.html"


def _templates() -> list[Any]:
    return sorted((ROOT / "templates").rglob("*.html"))


@pytest.mark.parametrize("path", _templates(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_template_carries_inline_code(path: Any) -> None:
    text = path.read_text(encoding="utf-8")
    for what, pattern in INLINE.items():
        assert not pattern.search(text), f"{what}: {pattern.search(text)}"
    name = str(path.relative_to(ROOT / "templates"))
    styles = re.findall(r"<style\b", text)
    if name == PDF_ONLY_STYLE:
        assert len(styles) == 1
        assert re.search(r"\{% if for_pdf %\}[^{]*(\{#.*?#\})?\s*<style>", text)
    else:
        assert not styles


def test_the_pattern_catches_inline_code() -> None:
    assert INLINE["a <script> with code in it"].search("<script>alert(1)</script>")
    assert INLINE["a <script> with code in it"].search('<script id="x">go()</script>')
    assert not INLINE["a <script> with code in it"].search('<script src="/s.js"></script>')
    assert not INLINE["a <script> with code in it"].search(
        '<script id="d" type="application/json">{"a": 1}</script>'
    )
    assert INLINE["a style attribute"].search('<p style="margin:0">')
    assert INLINE["an event-handler attribute"].search('<button onclick="go()">')
    assert not INLINE["an event-handler attribute"].search('<option value="x">')


def test_the_print_page_links_its_styles_and_the_pdf_keeps_its_page_margins(
    world: dict[str, Any],
) -> None:
    client = client_for(world, "coordinator_a")
    kwargs = {"pk": world["screening"].pk}
    page = client.get(reverse("screening:record", kwargs=kwargs)).content.decode()
    assert "<style" not in page
    assert "/static/eligo/record.css" in page
    pdf = client.get(reverse("screening:record_pdf", kwargs=kwargs))
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    number = world["candidate"].screening_number
    assert re.search(rf"{number} · attempt 1", text), text[-300:]
    assert re.search(r"Page 1 / \d+", text)
