"""The Celery application.

Configuration comes from Django settings (the ``CELERY_`` prefix), so the same code runs
in-process (eager) when no broker is configured and on a real Redis-backed worker when
``CELERY_BROKER_URL`` is set.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("leadership_compact")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
