"""Admin: the records of joint conferences, read-only. Every change goes through the
services (pages, API), which keep the transition tables and write the audit events."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from gongzhi.meetings.models import (
    Decision,
    InboxMessage,
    LeaveRequest,
    Meeting,
    Minutes,
    Schedule,
    Topic,
)


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Schedule)
class ScheduleAdmin(ReadOnly):
    list_display = ("body", "rule", "week_of_month", "weekday", "start_time", "notice_days")


@admin.register(Meeting)
class MeetingAdmin(ReadOnly):
    list_display = ("title", "body", "kind", "starts_at", "state")
    list_filter = ("state", "kind")
    search_fields = ("title",)
    date_hierarchy = "starts_at"


@admin.register(Topic)
class TopicAdmin(ReadOnly):
    list_display = ("title", "body", "proposing_unit", "state", "meeting")
    list_filter = ("state",)
    search_fields = ("title",)


@admin.register(LeaveRequest)
class LeaveAdmin(ReadOnly):
    list_display = ("invitation", "substitute", "state", "created_at")
    list_filter = ("state",)


@admin.register(Minutes)
class MinutesAdmin(ReadOnly):
    list_display = ("meeting", "state", "is_public", "signed_at", "sent_at")
    list_filter = ("state", "is_public")


@admin.register(Decision)
class DecisionAdmin(ReadOnly):
    list_display = ("title", "responsible_unit", "due_date", "state")
    list_filter = ("state",)
    search_fields = ("title",)


@admin.register(InboxMessage)
class InboxAdmin(ReadOnly):
    list_display = ("unit", "kind", "text", "created_at", "read_at")
    list_filter = ("kind",)
