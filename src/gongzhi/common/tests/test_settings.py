from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[4]


def clean_env(**extra: str) -> dict[str, str]:
    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for Playwright; never in deployment.
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(extra)
    return env


def test_production_settings_pass_check_deploy_without_warnings() -> None:
    env = clean_env(
        DJANGO_SETTINGS_MODULE="gongzhi.config.settings.production",
        SECRET_KEY="x" * 20 + "production-secret-for-the-check-only-" + "y" * 20,
        ALLOWED_HOSTS="gongzhi.example.cn",
        DATABASE_URL=os.environ.get(
            "DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'deploy-check.sqlite3'}"
        ),
    )
    result = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_a_weak_secret_key() -> None:
    env = clean_env(DJANGO_SETTINGS_MODULE="gongzhi.config.settings.production", SECRET_KEY="short")
    result = subprocess.run(
        [sys.executable, "-m", "django", "check"],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_beat_schedule_names_registered_tasks() -> None:
    from django.conf import settings

    from gongzhi.config.celery import app

    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks, entry["task"]


def test_postgresql_connections_get_the_work_mem_and_no_jit(db: object) -> None:
    """Issue 12: the application's PostgreSQL sessions run with 32 MB of work_mem (exact
    bitmaps for a unit's search at 10 M cases), without JIT, and with the random page
    cost of data on SSD or in memory (1.1)."""
    import pytest
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL settings")
    with connection.cursor() as cursor:
        cursor.execute("SHOW work_mem")
        assert cursor.fetchone()[0] == "32MB"
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
        cursor.execute("SHOW random_page_cost")
        assert cursor.fetchone()[0] == "1.1"
