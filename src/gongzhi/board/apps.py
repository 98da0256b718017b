from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BoardConfig(AppConfig):
    """The estate's public board (公示): a page put together from the apps that hold what
    the public is owed — duties and contacts (catalog), how each problem is going (cases)."""

    name = "gongzhi.board"
    label = "board"
    verbose_name = _("小区公示")
