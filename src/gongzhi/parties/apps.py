from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartiesConfig(AppConfig):
    """The three parties (residents' committee, owners' committee, property company) and the
    public: the estate's public notices, circulars and reports of major events (002 (三))."""

    name = "gongzhi.parties"
    label = "parties"
    verbose_name = _("三方联动")

    def ready(self) -> None:
        from gongzhi.cases import panels
        from gongzhi.parties.selectors import case_outage_note

        panels.register(case_outage_note)
