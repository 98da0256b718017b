"""Celery task of the catalog: retrain the classifier where the desk has confirmed new
examples (``catalog.training.model_versions_retrain``). Scheduled daily with celery beat
(CELERY_BEAT_SCHEDULE); ``gongzhi router train --jurisdiction CODE`` does one place."""

from __future__ import annotations

from celery import shared_task

from gongzhi.catalog.training import model_versions_retrain


@shared_task(name="gongzhi.catalog.retrain", ignore_result=True)
def retrain() -> str:
    versions = model_versions_retrain()
    return " ".join(f"{v.jurisdiction.code}:v{v.number}:{int(v.active)}" for v in versions)
