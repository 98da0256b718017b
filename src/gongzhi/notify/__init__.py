"""Messages that reach people outside the web pages: an outbox of one row per message,
recipient and channel, delivered by Celery through pluggable backends (SMS through an
HTTP gateway, e-mail, WeCom and DingTalk group robots, the web inbox), with retries, a
delivery log, quiet hours, preferences and opt-outs (docs/notify.md).

It sits below ``cases`` and ``meetings`` (they queue messages here) and above ``org``."""
