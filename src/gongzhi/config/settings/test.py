"""Test settings: the database comes from DATABASE_URL (SQLite by default)."""

import os

from .base import *  # noqa: F403
from .base import DATABASES, VAR_DIR

if "DATABASE_URL" not in os.environ:
    DATABASES["default"]["NAME"] = str(VAR_DIR / "test.sqlite3")
    # A file, not Django's shared in-memory test database: tests that act from two threads
    # at once need SQLite's real locking (WAL, BEGIN IMMEDIATE), as in the demo.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-run.sqlite3")}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
AXES_FAILURE_LIMIT = 5
# Messages: no quiet hours unless a test sets them (tests run at any time of day).
GONGZHI_NOTIFY_QUIET_HOURS = ""
