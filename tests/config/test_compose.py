"""docker-compose.yml describes production; no Docker engine runs here, so read it."""

from __future__ import annotations

import importlib
import shlex
from typing import Any

import pytest
import yaml

from tests.helpers import ROOT


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _command(service: dict[str, Any]) -> list[str]:
    command = service["command"]
    return shlex.split(command) if isinstance(command, str) else list(command)


def test_it_describes_the_production_stack(compose: dict[str, Any]) -> None:
    assert set(compose["services"]) == {"postgres", "redis", "migrate", "web", "worker", "beat"}
    assert {"postgres-data", "static"} <= set(compose["volumes"])


def test_every_long_running_service_has_a_health_check(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        if service.get("restart") == "no":
            continue  # a one-off run: it finishes, successfully or not
        assert "test" in service.get("healthcheck", {}), f"{name} has no health check"


def test_the_application_services_wait_for_healthy_databases(compose: dict[str, Any]) -> None:
    for name in ("migrate", "web", "worker", "beat"):
        depends = compose["services"][name]["depends_on"]
        assert depends["postgres"]["condition"] == "service_healthy", name
        assert depends["redis"]["condition"] == "service_healthy", name


def test_one_run_migrates_before_any_web_worker_or_beat_starts(compose: dict[str, Any]) -> None:
    migrate = compose["services"]["migrate"]
    assert migrate["restart"] == "no"
    command = " ".join(_command(migrate))
    assert "manage.py migrate --no-input" in command
    assert "manage.py collectstatic --no-input" in command
    for name in ("web", "worker", "beat"):
        service = compose["services"][name]
        assert service["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert "migrate" not in " ".join(_command(service)), f"{name} must not migrate itself"


def test_web_serves_the_wsgi_application(compose: dict[str, Any]) -> None:
    command = " ".join(_command(compose["services"]["web"]))
    target = next(
        arg for arg in shlex.split(command.split("gunicorn", 1)[1]) if ":" in arg and "." in arg
    )
    module_name, attribute = target.split(":")
    module = importlib.import_module(module_name)
    assert callable(getattr(module, attribute))


@pytest.mark.parametrize(("service", "subcommand"), [("worker", "worker"), ("beat", "beat")])
def test_celery_services_point_at_the_real_app(
    compose: dict[str, Any], service: str, subcommand: str
) -> None:
    args = _command(compose["services"][service])
    assert args[0] == "celery"
    app_module = args[args.index("-A") + 1]
    module = importlib.import_module(app_module)
    assert module.celery_app.main == "eligo"
    assert subcommand in args
    if subcommand == "beat":
        assert "django_celery_beat.schedulers:DatabaseScheduler" in args


def test_application_services_share_one_configuration(compose: dict[str, Any]) -> None:
    names = ("migrate", "web", "worker", "beat")
    envs = [compose["services"][name]["environment"] for name in names]
    for env in envs:
        assert env["DEBUG"] == "false"
        assert env["DATABASE_URL"].startswith("postgres://")
        assert env["CELERY_BROKER_URL"].startswith("redis://")
        assert "SECRET_KEY" in env
        assert "AUDIT_KEY" in env
        assert "ELIGO_MASTER_KEY" in env
        assert "ELIGO_INDEX_KEY" in env
