"""Sites run Eligo behind firewalls: no page may load anything from another host."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from tests.helpers import ROOT

# src=, href=, url(...) and @import pointing at another host (http:, https: or protocol-relative).
EXTERNAL = re.compile(
    r"""(?:(?:src|href|action)\s*=\s*["']|url\(\s*["']?|@import\s+["'])\s*(?:https?:)?//""",
    re.IGNORECASE,
)


def _template_files() -> list[Path]:
    folders = [ROOT / "templates", *ROOT.glob("*/templates")]
    return sorted(p for folder in folders for p in folder.rglob("*.html"))


def test_the_pattern_catches_what_it_should() -> None:
    assert EXTERNAL.search('<script src="https://cdn.example.net/x.js">')
    assert EXTERNAL.search("<link href='//fonts.example.net/css'>")
    assert EXTERNAL.search("background: url(https://img.example.net/a.png)")
    assert not EXTERNAL.search('<a href="/admin/">')


@pytest.mark.parametrize("path", _template_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_template_references_another_host(path: Path) -> None:
    assert not EXTERNAL.search(path.read_text(encoding="utf-8"))


def test_our_stylesheets_reference_no_other_host() -> None:
    for css in (ROOT / "static" / "eligo").rglob("*.css"):
        assert not EXTERNAL.search(css.read_text(encoding="utf-8")), css


@pytest.mark.parametrize(
    "url", ["/login/", "/", "/admin/", "/admin/trials/site/", "/admin/accounts/user/"]
)
def test_rendered_pages_reference_no_other_host(
    client: Client, data_manager: Any, url: str
) -> None:
    if url != "/login/":
        client.force_login(data_manager)
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/vendor/bootstrap/css/bootstrap.min.css" in html or url.startswith("/admin/")
    assert not EXTERNAL.search(html), EXTERNAL.search(html)
