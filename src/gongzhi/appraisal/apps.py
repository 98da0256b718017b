from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppraisalConfig(AppConfig):
    name = "gongzhi.appraisal"
    label = "appraisal"
    verbose_name = _("考评与信用")
