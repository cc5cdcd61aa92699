"""Tasks that belong to the installation as a whole rather than to one app."""

from __future__ import annotations

from celery import shared_task
from django.contrib.auth import get_user_model
from django.db import connection


@shared_task(name="eligo.worker_health")
def worker_health() -> dict[str, object]:
    """Prove a worker is alive and reads the same database as the web processes."""
    return {"database": connection.vendor, "users": get_user_model().objects.count()}
