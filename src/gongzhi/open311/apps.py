from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Open311Config(AppConfig):
    """Open311 GeoReport v2 (docs/open311.md): the standard door through which other
    311 systems and their client libraries list services and register and follow cases."""

    name = "gongzhi.open311"
    label = "open311"
    verbose_name = _("Open311 接口")
