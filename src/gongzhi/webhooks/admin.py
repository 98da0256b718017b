"""The admin's view of webhooks: subscriptions (switch one off), the delivery log with
every try, and replay (an action that calls the service)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gongzhi.webhooks.models import Attempt, Delivery, Subscription
from gongzhi.webhooks.services import webhook_delivery_replay


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ("name", "url", "token", "is_active", "created_at")
    list_filter = ("is_active",)
    fields = ("name", "token", "url", "events", "secret", "is_active", "created_at")
    readonly_fields = ("name", "token", "url", "events", "secret", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Subscribing goes through the service (gongzhi webhooks subscribe), which
        # validates, makes the secret and writes the audit event.
        return False


class AttemptInline(admin.TabularInline):
    model = Attempt
    extra = 0
    can_delete = False
    fields = ("at", "status_code", "error", "duration_ms", "replay")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = (
        "pk", "event_type", "subscription", "state", "attempts", "next_attempt_at", "delivered_at",
    )  # fmt: skip
    list_filter = ("state", "event_type", "subscription")
    search_fields = ("event__case__number",)
    readonly_fields = (
        "subscription", "event", "event_type", "body", "state", "attempts", "next_attempt_at",
        "delivered_at", "created_at",
    )  # fmt: skip
    inlines = [AttemptInline]
    actions = ["replay"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("重新投递所选推送"))
    def replay(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        count = 0
        for delivery in queryset:
            webhook_delivery_replay(delivery=delivery, actor=request.user)
            count += 1
        self.message_user(
            request, gettext("已重新投递 %(count)d 条推送") % {"count": count}, messages.SUCCESS
        )
