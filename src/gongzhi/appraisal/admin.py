"""Admin: the credit rules are edited here (each save audited); records, objections and
standings are read-only (they change only through the services)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from gongzhi.appraisal.models import (
    CreditObjection,
    CreditPolicy,
    CreditRecord,
    CreditRule,
    CreditStanding,
)
from gongzhi.common.audit import audit_record


class RuleInline(admin.TabularInline):
    model = CreditRule
    extra = 0
    fields = ("code", "label", "origin", "points", "cap", "expiry_days", "source", "sort")


@admin.register(CreditPolicy)
class PolicyAdmin(admin.ModelAdmin):
    list_display = ("name", "jurisdiction", "period", "list_size", "streak", "reward_amount")
    inlines = [RuleInline]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action="appraisal.policy_edit",
            target=obj,
            extra={"changed": list(form.changed_data)},
        )

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        super().save_formset(request, form, formset, change)
        if formset.has_changed():
            audit_record(
                actor=request.user,
                action="appraisal.rules_edit",
                target=form.instance,
                extra={"rules": [f.instance.code for f in formset.forms if f.has_changed()]},
            )


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CreditRecord)
class RecordAdmin(ReadOnly):
    list_display = ("company", "rule", "points", "occurred_on", "expires_on", "state")
    list_filter = ("state", "rule__code")
    search_fields = ("company__name", "note", "source_ref")


@admin.register(CreditObjection)
class ObjectionAdmin(ReadOnly):
    list_display = ("record", "state", "created_at", "decided_at")
    list_filter = ("state",)


@admin.register(CreditStanding)
class StandingAdmin(ReadOnly):
    list_display = ("company", "kind", "starts_on", "ends_on", "amount", "exposed")
    list_filter = ("kind",)
