"""Celery tasks of stats: the rollup worker, every minute from the beat schedule
(config/settings/base.py)."""

from __future__ import annotations

from celery import shared_task

from gongzhi.stats.rollup import catch_up


@shared_task(name="gongzhi.stats.catch_up", ignore_result=True)
def stats_catch_up() -> str:
    result = catch_up()
    return f"{result.events} events, cursor {result.last_id}, {result.gaps} gaps"


@shared_task(name="gongzhi.stats.run_job", ignore_result=True)
def run_job(job_id: int) -> str:
    from gongzhi.stats.services import job_run

    job = job_run(job_id=job_id)
    return job.state if job else "skipped"
