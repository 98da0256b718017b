"""Cases in the admin site are read-only: every change goes through the services (the
transition table, its checks and the event log), reached from the case pages and the
API. The admin is for looking things up."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from gongzhi.cases.models import (
    Accountability,
    Attachment,
    Case,
    CaseEvent,
    CaseTask,
    LedgerCounter,
    Notification,
    RatingAppeal,
    ReportForm,
)

# Inline rows show these columns, all read-only (tuples: the admin's types take either).
EVENT_FIELDS = ("created_at", "action", "from_state", "to_state", "actor", "unit", "reason")
TASK_FIELDS = ("kind", "unit", "state", "checkin_due_at", "checked_in_at", "done_at")


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    extra = 0
    can_delete = False
    fields = EVENT_FIELDS
    readonly_fields = EVENT_FIELDS

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class CaseTaskInline(admin.TabularInline):
    model = CaseTask
    extra = 0
    can_delete = False
    fields = TASK_FIELDS
    readonly_fields = TASK_FIELDS

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ["number", "title", "estate", "lead_unit", "state", "channel", "created_at"]
    list_filter = ["state", "channel", "urgency", "is_enforcement"]
    search_fields = ["number", "title", "external_ref"]
    date_hierarchy = "created_at"
    list_select_related = ["estate", "lead_unit"]
    inlines = [CaseTaskInline, CaseEventInline]


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "case", "action", "from_state", "to_state", "actor", "unit"]
    list_filter = ["action"]
    search_fields = ["case__number", "reason"]
    list_select_related = ["case", "actor", "unit"]


@admin.register(CaseTask)
class CaseTaskAdmin(ReadOnlyAdmin):
    list_display = ["case", "kind", "unit", "state", "checkin_due_at", "done_at"]
    list_filter = ["kind", "state"]


@admin.register(Accountability)
class AccountabilityAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "unit", "kind", "case", "reason"]
    list_filter = ["kind"]
    search_fields = ["unit__name", "case__number"]


@admin.register(RatingAppeal)
class RatingAppealAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "case", "unit", "state"]
    list_filter = ["state"]


@admin.register(ReportForm)
class ReportFormAdmin(ReadOnlyAdmin):
    list_display = ["case", "reporting_unit", "receiving_unit", "created_at"]


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    list_display = ["case", "name", "kind", "purpose", "size", "created_at"]
    list_filter = ["kind", "purpose"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "unit", "user", "jurisdiction", "text", "read_at"]
    list_filter = ["kind"]


@admin.register(LedgerCounter)
class LedgerCounterAdmin(ReadOnlyAdmin):
    list_display = ["jurisdiction", "year", "last"]
