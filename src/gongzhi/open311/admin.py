from django.contrib import admin

from gongzhi.open311.models import RequestToken


@admin.register(RequestToken)
class RequestTokenAdmin(admin.ModelAdmin):
    list_display = ("token", "case", "created_at")
    search_fields = ("token", "case__number")
    raw_id_fields = ("case",)
    readonly_fields = ("token", "case", "created_at")
