from django.contrib import admin

from gongzhi.catalog.models import Catalog, MatterType


class MatterInline(admin.TabularInline):
    model = MatterType
    extra = 0
    fields = ["code", "name", "category", "lead_kind", "property_scope", "time_limit", "source"]
    show_change_link = True


@admin.register(Catalog)
class CatalogAdmin(admin.ModelAdmin):
    list_display = ["name", "jurisdiction", "revision", "updated_at"]
    search_fields = ["name"]
    inlines = [MatterInline]
    change_list_template = "admin/catalog/catalog/change_list.html"


@admin.register(MatterType)
class MatterTypeAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "catalog",
        "category",
        "lead_kind",
        "property_scope",
        "time_limit",
    ]
    list_filter = ["catalog", "category", "lead_kind", "property_scope"]
    search_fields = ["code", "name", "description"]
    filter_horizontal = ["assist_kinds"]
