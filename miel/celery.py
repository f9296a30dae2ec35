"""Celery application (SPEC §1): eager in-process by default, a worker + beat on Redis when
``REDIS_URL`` is set. Tasks live in each app's ``tasks.py``."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "miel.settings")

app = Celery("miel")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
