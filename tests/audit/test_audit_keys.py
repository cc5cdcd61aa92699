"""The audit chain's keys come from the environment or a file, and errors name the variable."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from audit.keys import development_key_in_use
from config.auditkeys import AuditKey, AuditKeyring, audit_keyring_from_env, development_key

A = "key-A-" + "a" * 40
B = "key-B-" + "b" * 40
C = "key-C-" + "c" * 40


@pytest.fixture(autouse=True)
def no_audit_keys_set(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AUDIT_KEY", "AUDIT_KEY_FILE", "AUDIT_RETIRED_KEYS"):
        monkeypatch.delenv(name, raising=False)


def test_the_key_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUDIT_KEY", A)
    keys = audit_keyring_from_env(debug=False, secret_key="s")
    assert keys.current == AuditKey.from_text(A)
    assert keys.retired == ()
    assert len(keys.current.id) == 16
    assert A not in keys.current.id
    assert A not in repr(keys)


def test_retired_keys_come_after_the_current_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUDIT_KEY", A)
    monkeypatch.setenv("AUDIT_RETIRED_KEYS", f"{B}, {C},{A}")
    keys = audit_keyring_from_env(debug=False, secret_key="s")
    assert [key.id for key in keys.retired] == [
        AuditKey.from_text(B).id,
        AuditKey.from_text(C).id,
    ]
    assert keys.find(AuditKey.from_text(C).id) == AuditKey.from_text(C)
    assert keys.find("0" * 16) is None


def test_a_key_file_holds_the_current_key_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key_file = tmp_path / "audit.keys"
    key_file.write_text(f"# current\n{B}\n\n# retired 2026-11-01\n{A}\n")
    monkeypatch.setenv("AUDIT_KEY_FILE", str(key_file))
    keys = audit_keyring_from_env(debug=False, secret_key="s")
    assert keys.current.id == AuditKey.from_text(B).id
    assert [key.id for key in keys.retired] == [AuditKey.from_text(A).id]


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({}, "AUDIT_KEY or AUDIT_KEY_FILE must be set when DEBUG is off"),
        ({"AUDIT_KEY": "short"}, "AUDIT_KEY must be at least 32 characters"),
        ({"AUDIT_KEY": A + " x"}, "AUDIT_KEY must be at least 32 characters with no spaces"),
        ({"AUDIT_KEY": A, "AUDIT_KEY_FILE": "/x"}, "Set AUDIT_KEY or AUDIT_KEY_FILE, not both"),
        ({"AUDIT_KEY_FILE": "/nonexistent/audit.keys"}, "AUDIT_KEY_FILE names /nonexistent"),
        ({"AUDIT_KEY": A, "AUDIT_RETIRED_KEYS": f"{B},tiny"}, r"AUDIT_RETIRED_KEYS \(entry 2\)"),
    ],
    ids=["none", "short", "space", "both", "missing file", "short retired"],
)
def test_a_wrong_configuration_stops_start_up_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, variables: dict[str, str], message: str
) -> None:
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ImproperlyConfigured, match=message) as refused:
        audit_keyring_from_env(debug=False, secret_key="s")
    assert "tiny" not in str(refused.value)
    assert "short" not in str(refused.value)


def test_a_bad_line_in_the_key_file_is_named_without_the_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key_file = tmp_path / "audit.keys"
    key_file.write_text(f"{A}\nnot-long-enough\n")
    monkeypatch.setenv("AUDIT_KEY_FILE", str(key_file))
    with pytest.raises(ImproperlyConfigured, match=r"audit\.keys line 2 must be at least") as err:
        audit_keyring_from_env(debug=False, secret_key="s")
    assert "not-long-enough" not in str(err.value)
    key_file.write_text("# nothing here\n")
    with pytest.raises(ImproperlyConfigured, match="holds no key"):
        audit_keyring_from_env(debug=False, secret_key="s")


def test_with_debug_on_and_no_key_a_labelled_development_key_is_derived() -> None:
    keys = audit_keyring_from_env(debug=True, secret_key="a development secret")
    assert keys.current.development
    assert keys.current.id.startswith("dev-")
    assert keys.current == development_key("a development secret")
    assert keys.current != development_key("another secret")
    assert b"a development secret" not in keys.current.secret


def test_with_debug_on_a_configured_key_still_verifies_the_development_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AUDIT_KEY", A)
    keys = audit_keyring_from_env(debug=True, secret_key="dev")
    assert keys.current.id == AuditKey.from_text(A).id
    assert keys.retired == (development_key("dev"),)
    assert audit_keyring_from_env(debug=False, secret_key="dev").retired == ()


def test_the_system_checks_say_when_a_development_key_signs_the_chain() -> None:
    with override_settings(AUDIT_KEYS=AuditKeyring(current=development_key("dev"))):
        messages = development_key_in_use()
    assert [(m.id, m.level) for m in messages] == [("audit.I001", checks.INFO)]
    assert "development key" in messages[0].msg
    with override_settings(AUDIT_KEYS=AuditKeyring(current=AuditKey.from_text(A))):
        assert development_key_in_use() == []
