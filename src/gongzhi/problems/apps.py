from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProblemsConfig(AppConfig):
    """Coordinated problem solving of the three parties (002 (二)第一–七条): an estate's
    problems at their tier (daily, major, beyond the three parties, historical), the
    consultations held on them, and the early intervention of the street and the community
    party organisation in major matters."""

    name = "gongzhi.problems"
    label = "problems"
    verbose_name = _("三方协同解决问题")
