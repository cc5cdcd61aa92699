"""Settings come from the environment, and production settings pass Django's deploy check."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import envbool, envint, envlist, load_env_file
from tests.helpers import ROOT

PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "x" * 20 + "-a-long-and-random-production-secret-" + "y" * 20,
    "ALLOWED_HOSTS": "eligo.hospital.example.org",
    "DATABASE_URL": "sqlite:///:memory:",
    "AUDIT_KEY": "z" * 20 + "-a-long-and-random-audit-chain-key-" + "w" * 20,
    "ELIGO_MASTER_KEY": "m" * 20 + "-a-long-and-random-master-key-" + "k" * 20,
    "ELIGO_INDEX_KEY": "i" * 20 + "-a-long-and-random-index-key-" + "x" * 20,
}


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    ignored = {
        "DEBUG",
        "SECRET_KEY",
        "AUDIT_KEY",
        "AUDIT_KEY_FILE",
        "AUDIT_RETIRED_KEYS",
        "ELIGO_MASTER_KEY",
        "ELIGO_MASTER_KEY_FILE",
        "ELIGO_RETIRED_MASTER_KEYS",
        "ELIGO_INDEX_KEY",
        "DJANGO_SETTINGS_MODULE",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
    }
    clean = {k: v for k, v in os.environ.items() if k not in ignored}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_settings_pass_the_deploy_check() -> None:
    result = _manage("check", "--deploy", "--fail-level", "DEBUG", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off() -> None:
    result = _manage("check", env={**PRODUCTION_ENV, "SECRET_KEY": ""})
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_it_refuses_to_start_without_an_audit_key_when_debug_is_off() -> None:
    result = _manage("check", env={**PRODUCTION_ENV, "AUDIT_KEY": ""})
    assert result.returncode != 0
    assert "AUDIT_KEY or AUDIT_KEY_FILE must be set when DEBUG is off" in result.stderr


def test_it_refuses_to_start_without_identity_keys_when_debug_is_off() -> None:
    result = _manage("check", env={**PRODUCTION_ENV, "ELIGO_MASTER_KEY": ""})
    assert result.returncode != 0
    assert "ELIGO_MASTER_KEY or ELIGO_MASTER_KEY_FILE must be set when DEBUG is off" in (
        result.stderr
    )
    result = _manage("check", env={**PRODUCTION_ENV, "ELIGO_INDEX_KEY": ""})
    assert result.returncode != 0
    assert "ELIGO_INDEX_KEY must be set when DEBUG is off" in result.stderr


def test_a_development_machine_starts_with_a_labelled_development_audit_key() -> None:
    # What `make run` gives a fresh machine: DEBUG on, a SECRET_KEY, nothing else.
    development = {
        "DEBUG": "true",
        "SECRET_KEY": PRODUCTION_ENV["SECRET_KEY"],
        "AUDIT_KEY": "",
        "ELIGO_MASTER_KEY": "",
        "ELIGO_INDEX_KEY": "",
    }
    result = _manage("check", env={**PRODUCTION_ENV, **development})
    assert result.returncode == 0, result.stderr + result.stdout
    assert "audit.I001" in result.stdout + result.stderr
    assert "development key (dev-" in result.stdout + result.stderr
    assert "vault.I001" in result.stdout + result.stderr


def test_it_names_the_variable_when_a_boolean_is_malformed() -> None:
    result = _manage("check", env={**PRODUCTION_ENV, "DEBUG": "maybe"})
    assert result.returncode != 0
    assert "DEBUG must be true or false, not 'maybe'" in result.stderr


def test_envbool_reads_common_spellings(monkeypatch: pytest.MonkeyPatch) -> None:
    for raw, expected in [("1", True), ("TRUE", True), ("on", True), ("0", False), ("off", False)]:
        monkeypatch.setenv("ELIGO_FLAG", raw)
        assert envbool("ELIGO_FLAG", not expected) is expected
    monkeypatch.delenv("ELIGO_FLAG")
    assert envbool("ELIGO_FLAG", True) is True


def test_envint_refuses_values_below_the_minimum(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SESSION_IDLE_MINUTES", "0")
    with pytest.raises(ImproperlyConfigured, match="SESSION_IDLE_MINUTES must be at least 1"):
        envint("SESSION_IDLE_MINUTES", 30, minimum=1)
    monkeypatch.setenv("SESSION_IDLE_MINUTES", "ten")
    with pytest.raises(ImproperlyConfigured, match="must be a whole number"):
        envint("SESSION_IDLE_MINUTES", 30, minimum=1)


def test_envlist_splits_and_trims(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALLOWED_HOSTS", " a.example.org, ,b.example.org ")
    assert envlist("ALLOWED_HOSTS") == ["a.example.org", "b.example.org"]


def test_env_file_never_overrides_the_real_environment(
    tmp_path: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    env_file = tmp_path / ".env"  # type: ignore[operator]
    env_file.write_text("# comment\n\nELIGO_A='from file'\nELIGO_B=from file\n")
    monkeypatch.setenv("ELIGO_B", "from environment")
    monkeypatch.delenv("ELIGO_A", raising=False)
    load_env_file(env_file)
    assert os.environ["ELIGO_A"] == "from file"
    assert os.environ["ELIGO_B"] == "from environment"
    monkeypatch.delenv("ELIGO_A")


def test_env_file_reports_the_line_of_a_malformed_entry(tmp_path: pytest.TempPathFactory) -> None:
    env_file = tmp_path / ".env"  # type: ignore[operator]
    env_file.write_text("DEBUG=true\nnot a setting\n")
    with pytest.raises(ImproperlyConfigured, match=r"\.env:2: expected KEY=VALUE"):
        load_env_file(env_file)


def test_database_url_selects_postgresql(monkeypatch: pytest.MonkeyPatch) -> None:
    import dj_database_url

    parsed = dj_database_url.parse("postgres://eligo:secret@db.internal:5432/eligo")
    assert parsed["ENGINE"] == "django.db.backends.postgresql"
    assert parsed["HOST"] == "db.internal"
