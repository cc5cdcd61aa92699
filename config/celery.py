"""The Celery application.

Configuration comes from Django's settings (``CELERY_*``). With no broker
configured, tasks run eagerly in the calling process; with one, a worker
(``celery -A config worker``) and beat (``celery -A config beat``) run them.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("eligo")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Installation-wide tasks live in config/, which is not an installed app.
app.autodiscover_tasks(["config"])
