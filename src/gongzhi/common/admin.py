from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from gongzhi.common.models import ApiToken, AuditEvent, CalendarDay
from gongzhi.common.services import (
    calendar_day_delete,
    calendar_day_problems,
    calendar_day_save,
)


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


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are created with ``gongzhi token USERNAME``; here they are listed and
    revoked. The key itself is never stored, only its hash."""

    list_display = ["name", "user", "prefix", "created_at", "revoked_at"]
    list_filter = ["revoked_at"]
    readonly_fields = ["user", "name", "prefix", "key_hash", "created_at", "revoked_at"]
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.action(description=_("吊销所选令牌"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        # Imported here: apiauth loads the JSON API's framework, which every command
        # would otherwise load at start-up through the admin's autodiscovery.
        from gongzhi.common.apiauth import api_token_revoke

        for token in queryset.filter(revoked_at__isnull=True):
            api_token_revoke(token=token, actor=request.user)


class CalendarDayForm(forms.ModelForm):
    class Meta:
        model = CalendarDay
        fields = ["date", "kind", "name", "source"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for error in calendar_day_problems(date=data.get("date"), kind=data.get("kind")):
            self.add_error(error.field, error.message)
        return data


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    """Holidays and make-up working days the office keeps; a whole year's notice is
    imported with ``gongzhi calendar import FILE``. Saving goes through the services, which
    write the audit event and make the change take effect for deadlines at once."""

    form = CalendarDayForm
    list_display = ["date", "kind", "name", "source", "updated_at"]
    list_filter = ["kind"]
    search_fields = ["name", "source"]
    date_hierarchy = "date"

    def save_model(self, request: HttpRequest, obj: CalendarDay, form: Any, change: bool) -> None:
        calendar_day_save(day=obj, actor=request.user)

    def delete_model(self, request: HttpRequest, obj: CalendarDay) -> None:
        calendar_day_delete(day=obj, actor=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[CalendarDay]) -> None:
        for day in queryset:
            calendar_day_delete(day=day, actor=request.user)
