"""Celery task: collect credit facts from the cases (idempotent; schedule it in beat)."""

from __future__ import annotations

from celery import shared_task

from gongzhi.appraisal.services import credit_collect


@shared_task(name="gongzhi.appraisal.collect", ignore_result=True)
def collect() -> str:
    return str(credit_collect())
