from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommonConfig(AppConfig):
    name = "gongzhi.common"
    label = "common"
    verbose_name = _("公共")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from gongzhi.common import checks  # noqa: F401 - registers the system checks
        from gongzhi.common.security import stamp_login

        user_logged_in.connect(stamp_login, dispatch_uid="gongzhi-session-stamp")
