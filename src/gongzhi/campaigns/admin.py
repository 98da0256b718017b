"""Admin: campaigns, surveys and progress reports, read-only. Every change goes through the
services (pages, API), which check the rights and write the audit events."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from gongzhi.campaigns.models import Campaign, ProgressReport, Survey


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Campaign)
class CampaignAdmin(ReadOnly):
    list_display = ("title", "jurisdiction", "starts", "ends", "survey_due")


@admin.register(Survey)
class SurveyAdmin(ReadOnly):
    list_display = ("campaign", "estate", "classification", "unit", "updated_at")
    list_filter = ("classification",)


@admin.register(ProgressReport)
class ProgressReportAdmin(ReadOnly):
    list_display = ("campaign", "street", "due", "filed_at", "unit")
