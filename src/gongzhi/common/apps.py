from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommonConfig(AppConfig):
    name = "gongzhi.common"
    label = "common"
    verbose_name = _("公共")

    def ready(self) -> None:
        from gongzhi.common import checks  # noqa: F401 - registers the system checks
