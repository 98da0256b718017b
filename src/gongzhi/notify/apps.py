from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The rows behind notify.selectors' memo (who a unit's messages go to, whether anyone
# subscribes to case events): a save or delete of any of them changes the audience version.
AUDIENCE_MODELS = (
    "notify.UnitWebhook",
    "notify.Preference",
    "notify.OptOut",
    "org.Unit",
    "org.User",
    "org.RoleGrant",
    "common.ApiToken",
    "webhooks.Subscription",
)


class NotifyConfig(AppConfig):
    name = "gongzhi.notify"
    label = "notify"
    verbose_name = _("消息发送")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from gongzhi.notify.selectors import audience_changed

        for model in AUDIENCE_MODELS:
            uid = f"notify-audience-{model}"
            post_save.connect(audience_changed, sender=model, dispatch_uid=uid)
            post_delete.connect(audience_changed, sender=model, dispatch_uid=f"{uid}-d")
