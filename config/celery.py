"""The Celery application.

Configuration comes from Django's settings (``CELERY_*``). With no broker
configured, tasks run eagerly in the calling process; with one, a worker
(``celery -A config worker``) and beat (``celery -A config beat``) run them.
Apps queue work through the outbox (``outbox.services.outbox_enqueue``), not with
``.delay()`` inside a request: the work is recorded with the change and handed to
the broker after the commit, so a broker that is down never holds up or fails a save.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("eligo")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Installation-wide tasks live in config/, which is not an installed app.
app.autodiscover_tasks(["config"])
