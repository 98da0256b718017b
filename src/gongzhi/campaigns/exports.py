"""The campaign's files as HTTP answers, for the page and the API alike: the survey
template of the caller's estates and the export of what the caller may read."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.campaigns import access, files, selectors
from gongzhi.campaigns.fields import definitions
from gongzhi.campaigns.models import Campaign
from gongzhi.common.errors import NotFound

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


def export_response(user: Any, campaign: Campaign) -> HttpResponse:
    estates, surveys, reports = selectors.export_rows(user, campaign)
    content = files.export_xlsx(campaign, definitions(campaign.fields), estates, surveys, reports)
    stamp = timezone.localdate().isoformat()
    return _xlsx(content, f"{campaign.title}-{stamp}.xlsx")


def template_response(user: Any, campaign: Campaign) -> HttpResponse:
    if not access.can_fill(user, campaign):
        raise NotFound(_("未找到，或无权查看"))
    estates = list(access.fillable_estates(user, campaign).order_by("community__path", "code"))
    surveys = selectors.surveys_by_estate(list(access.readable_surveys(user, campaign)))
    content = files.template_xlsx(
        campaign, definitions(campaign.fields), campaign.classes, estates, surveys
    )
    return _xlsx(content, f"{campaign.title}-{files.SURVEY_SHEET}.xlsx")
