"""Every download names its file in one RFC 6266 header: a plain-ASCII ``filename`` for
old clients and ``filename*`` with the name as meant, whatever the name was built from."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

import pytest
from django.test import Client
from hypothesis import given, settings
from hypothesis import strategies as st

from config.downloads import MAX_NAME, content_disposition, safe_filename
from tests.trials.helpers import DEFINITION
from trials.services.protocols import protocol_import

HEADER = re.compile(
    r"""^attachment; filename="([A-Za-z0-9._+-]+)"; filename\*=UTF-8''([^\s"';]+)$"""
)


def parts(header: str) -> tuple[str, str]:
    match = HEADER.match(header)
    assert match is not None, header
    return match[1], unquote(match[2], errors="strict")


@pytest.mark.parametrize(
    ("name", "plain", "meant"),
    [
        ("DEMO1-1.0.yaml", "DEMO1-1.0.yaml", "DEMO1-1.0.yaml"),
        ('T1-1.0" onload="x.yaml', "T1-1.0_onload_x.yaml", "T1-1.0_ onload=_x.yaml"),
        (
            "T1-1.0\r\nSet-Cookie: a=b.yaml",
            "T1-1.0_Set-Cookie_a_b.yaml",
            "T1-1.0_Set-Cookie_ a=b.yaml",
        ),
        ("Müller Straße.csv", "Muller_Strae.csv", "Müller Straße.csv"),
        ("日本.csv", "download.csv", "日本.csv"),
        ("../../etc/passwd", "etc_passwd", "etc_passwd"),
        ("", "download", "download"),
    ],
)
def test_the_header_keeps_what_it_can_and_never_what_breaks_it(
    name: str, plain: str, meant: str
) -> None:
    assert parts(content_disposition(name)) == (plain, meant)


def test_a_long_name_is_cut_but_keeps_its_extension() -> None:
    name = safe_filename("a" * 500 + ".pdf")
    assert (len(name), name[-4:]) == (MAX_NAME, ".pdf")


@settings(max_examples=200, deadline=None)
@given(name=st.text(max_size=300))
def test_any_name_makes_one_well_formed_header(name: str) -> None:
    header = content_disposition(name)
    assert header.isascii()
    plain, meant = parts(header)
    assert meant == safe_filename(name)
    assert not re.search(r"[\x00-\x1f\x7f\"\\/]", meant)
    assert plain
    assert len(meant) <= MAX_NAME


@pytest.mark.django_db
def test_a_version_label_cannot_inject_into_the_export_header(
    client: Client, data_manager: Any
) -> None:
    label = 'protocol_version: "1.0\\" x=\\"y\\r\\nSet-Cookie: a=b"'
    text = DEFINITION.replace('protocol_version: "1.0"', label)
    version = protocol_import(text=text, source_name="v1.yaml", user=None).version
    assert version.label == '1.0" x="y\r\nSet-Cookie: a=b'
    client.force_login(data_manager)
    response = client.get(f"/admin/trials/protocolversion/{version.pk}/export/")
    assert response.status_code == 200
    assert "a" not in response.cookies
    assert parts(response["Content-Disposition"]) == (
        "DEMO1-1.0_x_y_Set-Cookie_a_b.yaml",
        "DEMO1-1.0__x=_y_Set-Cookie__a=b.yaml",
    )
