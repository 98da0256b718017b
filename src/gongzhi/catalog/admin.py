from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.catalog.downloads import export_response
from gongzhi.catalog.models import Catalog, MatterType, ModelVersion, TrainingExample
from gongzhi.catalog.services import catalog_export


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
    actions = ["export_xlsx"]

    @admin.action(description=gettext_lazy("导出所选清单为 Excel"))
    def export_xlsx(self, request: HttpRequest, queryset: QuerySet[Catalog]) -> HttpResponse | None:
        if queryset.count() != 1:
            self.message_user(request, _("请只选择一个清单导出"), level=messages.WARNING)
            return None
        node = queryset.get().jurisdiction
        return export_response(catalog_export(jurisdiction=node, fmt="xlsx"), node, "xlsx")


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
    autocomplete_fields = ["lead_unit", "assist_units"]


@admin.register(TrainingExample)
class TrainingExampleAdmin(admin.ModelAdmin):
    list_display = ["matter_code", "text", "source", "case_number", "jurisdiction", "created_at"]
    list_filter = ["source"]
    search_fields = ["matter_code", "case_number"]

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # append-only: recorded by the desk's services


@admin.register(ModelVersion)
class ModelVersionAdmin(admin.ModelAdmin):
    list_display = [
        "jurisdiction",
        "number",
        "active",
        "accuracy",
        "baseline_accuracy",
        "examples",
        "held_out",
        "created_at",
    ]
    exclude = ["blob"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # built by `gongzhi router train`

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # activated and rolled back by the services only
