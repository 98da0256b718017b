from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "gongzhi.cases"
    label = "cases"
    verbose_name = _("诉求案件")

    def ready(self) -> None:
        from gongzhi.cases import checks  # noqa: F401 - registers the system checks
        from gongzhi.cases.ledger_choices import connect

        connect()  # forget the ledger's dropdowns when their rows change
