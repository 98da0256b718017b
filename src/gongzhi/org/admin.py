from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from gongzhi.org.models import (
    Body,
    BodyMember,
    Estate,
    Jurisdiction,
    Person,
    Post,
    RoleGrant,
    Unit,
    UnitKind,
    User,
)


class RoleGrantInline(admin.TabularInline):
    model = RoleGrant
    fk_name = "user"
    extra = 0
    autocomplete_fields = ["unit", "jurisdiction"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "display_name", "phone", "is_active", "last_login"]
    search_fields = ["username", "display_name", "phone"]
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (_("Gongzhi"), {"fields": ("display_name", "phone")}),
    )
    inlines = [RoleGrantInline]


@admin.register(Jurisdiction)
class JurisdictionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    readonly_fields = ["path", "depth"]
    autocomplete_fields = ["parent"]


@admin.register(Estate)
class EstateAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "community",
        "property_company",
        "owners_committee",
        "households",
    ]
    search_fields = ["code", "name", "address"]
    list_filter = ["community__parent"]
    autocomplete_fields = ["community", "property_company", "owners_committee"]


@admin.register(UnitKind)
class UnitKindAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "group", "sort"]
    list_filter = ["group"]
    search_fields = ["code", "name"]


class PostInline(admin.TabularInline):
    model = Post
    extra = 0
    autocomplete_fields = ["person"]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "jurisdiction", "phone", "hotline", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name", "short_name"]
    autocomplete_fields = ["jurisdiction", "estate", "parent", "kind"]
    inlines = [PostInline]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "phone", "user"]
    search_fields = ["name", "phone"]


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["unit", "role", "person", "title", "start_date", "end_date"]
    list_filter = ["role"]
    search_fields = ["person__name", "unit__name"]
    autocomplete_fields = ["unit", "person"]


class BodyMemberInline(admin.TabularInline):
    model = BodyMember
    extra = 0
    autocomplete_fields = ["unit", "person"]


@admin.register(Body)
class BodyAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "jurisdiction", "office_unit", "is_active"]
    list_filter = ["kind"]
    search_fields = ["name"]
    autocomplete_fields = ["jurisdiction", "office_unit"]
    inlines = [BodyMemberInline]


@admin.register(RoleGrant)
class RoleGrantAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "unit", "jurisdiction"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__display_name"]
    autocomplete_fields = ["user", "unit", "jurisdiction"]
