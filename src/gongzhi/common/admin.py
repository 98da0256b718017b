from django.contrib import admin
from django.http import HttpRequest

from gongzhi.common.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: audit events are never edited or deleted through any interface."""

    list_display = ["created_at", "action", "target_label", "actor", "actor_unit", "to_state"]
    list_filter = ["action", "target_type"]
    search_fields = ["target_label", "reason"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
