from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    """Rectification campaigns (专项整治): a survey of every estate by the streets and
    communities (小区摸排认定表) and their periodic progress reports (002's covering notice)."""

    name = "gongzhi.campaigns"
    label = "campaigns"
    verbose_name = _("专项整治")
