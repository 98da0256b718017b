"""Celery tasks of webhooks: one delivery try (queued when the case write commits, and
by a replay), and the retry sweep the beat schedule runs every minute."""

from __future__ import annotations

from celery import shared_task

from gongzhi.webhooks.services import webhook_deliver, webhook_retry_due


@shared_task(name="gongzhi.webhooks.deliver", ignore_result=True)
def deliver(delivery_id: int, replay: bool = False) -> str:
    return webhook_deliver(delivery_id=delivery_id, replay=replay)


@shared_task(name="gongzhi.webhooks.retry", ignore_result=True)
def retry_due() -> int:
    return webhook_retry_due()
