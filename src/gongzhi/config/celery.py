"""The Celery app. The broker is Redis (CELERY_BROKER_URL or REDIS_URL); without one,
tasks run eagerly in-process (demo and tests)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.config.settings.production")

app = Celery("gongzhi")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
