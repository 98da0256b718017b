"""Celery tasks of the outbox: deliver messages just queued (after the commit), and the
sweep that retries what is due (celery beat, every minute)."""

from __future__ import annotations

from gongzhi.config.celery import app
from gongzhi.notify import services

# Bound to the project's Celery app (not ``shared_task``): a web process queues through
# it without having loaded the app elsewhere, eagerly when there is no broker.


@app.task(name="gongzhi.notify.deliver")
def deliver(message_ids: list[int]) -> list[str]:
    return [services.message_deliver(message_id=pk) for pk in message_ids]


@app.task(name="gongzhi.notify.sweep")
def sweep() -> int:
    return services.messages_sweep()
