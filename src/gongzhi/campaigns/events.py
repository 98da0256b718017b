"""The audit event names of rectification campaigns."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CampaignsEvent(models.TextChoices):
    START = "campaigns.campaign.start", _("发起专项整治")
    FORM_EDIT = "campaigns.campaign.form_edit", _("修改摸排表")
    SURVEY_SUBMIT = "campaigns.survey.submit", _("填报摸排认定表")
    SURVEYS_IMPORT = "campaigns.campaign.import", _("导入摸排认定表")
    REPORT_FILE = "campaigns.report.file", _("报送整治进展")
