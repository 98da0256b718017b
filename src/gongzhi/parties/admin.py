"""Admin: the three parties' records, read-only. Every change goes through the services
(pages, API), which check the rights and write the audit events."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from gongzhi.parties.models import Circular, Custody, Notice, Report, UtilityWork


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Notice)
class NoticeAdmin(ReadOnly):
    list_display = ("title", "estate", "kind", "party", "state", "valid_from", "valid_until")
    list_filter = ("kind", "party", "state")


@admin.register(Circular)
class CircularAdmin(ReadOnly):
    list_display = ("title", "estate", "sender_unit", "urgent", "created_at")
    list_filter = ("urgent",)


@admin.register(Report)
class ReportAdmin(ReadOnly):
    list_display = ("kind", "estate", "filer_unit", "state", "feedback_due")
    list_filter = ("kind", "state")


@admin.register(Custody)
class CustodyAdmin(ReadOnly):
    list_display = ("estate", "custodian", "custodian_kind", "starts", "ends", "state")


@admin.register(UtilityWork)
class UtilityWorkAdmin(ReadOnly):
    list_display = ("title", "utility", "supply", "starts_at", "ends_at")
