"""Celery tasks of cases. The beat schedule (config/settings/base.py) runs the sweep
every minute in production; the demo runs it in-process (cases/demo.py)."""

from __future__ import annotations

from celery import shared_task

from gongzhi.cases.services import case_sweep


@shared_task(name="gongzhi.cases.sweep", ignore_result=True)
def sweep() -> str:
    return str(case_sweep())
