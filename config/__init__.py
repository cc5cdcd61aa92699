"""Eligo project configuration.

The Celery app is imported here so that ``@shared_task`` binds to it as soon as
Django starts, in web processes and workers alike.
"""

from config.celery import app as celery_app

__all__ = ["celery_app"]
