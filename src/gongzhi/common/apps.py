from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommonConfig(AppConfig):
    name = "gongzhi.common"
    label = "common"
    verbose_name = _("公共")

    def ready(self) -> None:
        from django.conf import settings
        from django.contrib.auth.signals import user_logged_in
        from PIL import Image

        from gongzhi.common import checks  # noqa: F401 - registers the system checks
        from gongzhi.common.security import stamp_login

        user_logged_in.connect(stamp_login, dispatch_uid="gongzhi-session-stamp")

        # Pillow warns above this many pixels and refuses twice as many: anything that
        # opens an image (thumbnails, the 呈报表 PDF) is bounded by the upload cap too.
        Image.MAX_IMAGE_PIXELS = int(getattr(settings, "GONGZHI_MAX_IMAGE_PIXELS", 40_000_000))
