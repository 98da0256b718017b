from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    """Webhooks for integrations (docs/webhooks.md): an integration subscribes to kinds
    of case events and gets each one POSTed, signed, with retries and a delivery log."""

    name = "gongzhi.webhooks"
    label = "webhooks"
    verbose_name = _("事件推送")

    def ready(self) -> None:
        from gongzhi.cases.events import events_committed

        events_committed.connect(_on_case_events, dispatch_uid="webhooks.on_case_events")


def _on_case_events(sender: Any = None, **kwargs: Any) -> None:
    # Imported here: starting Django (and the small commands) loads no service module.
    from gongzhi.webhooks.services import on_case_events

    on_case_events(sender, **kwargs)
