from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SiteConfig(AppConfig):
    """The site as a whole: the commands that put every app together (the demo, the
    benchmarks). It may import any app; no app imports it."""

    name = "gongzhi.site"
    label = "gongzhi_site"
    verbose_name = _("站点")
