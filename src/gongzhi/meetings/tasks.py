"""Celery task of meetings: the sweep (reminders before the due date, overdue flags,
meetings not held on their day). Idempotent; schedule it hourly with celery beat (CELERY_BEAT_SCHEDULE) or run
``gongzhi meetings_sweep`` from cron."""

from __future__ import annotations

from celery import shared_task

from gongzhi.meetings.services import meetings_sweep


@shared_task(name="gongzhi.meetings.sweep", ignore_result=True)
def sweep() -> str:
    result = meetings_sweep()
    return (
        f"reminded={len(result.reminded)} overdue={len(result.overdue)} missed={len(result.missed)}"
    )
