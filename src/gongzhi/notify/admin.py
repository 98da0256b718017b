from django.contrib import admin

from gongzhi.notify.models import Attempt, Message, OptOut, Preference, UnitWebhook


@admin.register(UnitWebhook)
class UnitWebhookAdmin(admin.ModelAdmin):
    list_display = ("unit", "name", "kind", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "unit__name")
    autocomplete_fields = ("unit",)


class AttemptInline(admin.TabularInline):
    model = Attempt
    extra = 0
    can_delete = False
    readonly_fields = ("at", "ok", "status", "detail", "duration_ms")

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("created_at", "event", "channel", "label", "state", "attempts")
    list_filter = ("state", "channel", "event")
    search_fields = ("label", "target")
    readonly_fields = [f.name for f in Message._meta.fields]
    inlines = [AttemptInline]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "sms", "email", "quiet_hours")


@admin.register(OptOut)
class OptOutAdmin(admin.ModelAdmin):
    list_display = ("created_at", "channel", "address", "source")
