from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.actions import delete_selected
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gongzhi.common.errors import DomainError, InvalidInput
from gongzhi.org import services
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
    """Accounts with history (events, cases, grants, posts …) are deactivated, never
    deleted: deleting would leave their events without an actor. Deleting (one or in
    bulk) is refused for them with the reason; "停用" goes through ``user_deactivate``
    (sign-in stops, API tokens revoked, an audit event). ``is_active`` is read-only here
    so that every change of it is audited."""

    list_display = ["username", "display_name", "phone", "is_active", "last_login"]
    list_filter = ["is_active", "is_staff", "is_superuser"]
    search_fields = ["username", "display_name", "phone"]
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (_("Gongzhi"), {"fields": ("display_name", "phone")}),
    )
    inlines = [RoleGrantInline]
    actions = ["deactivate", "reactivate"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "is_active"] if obj is not None else fields

    def get_actions(self, request: HttpRequest) -> Any:
        actions: dict[str, Any] = dict(super().get_actions(request))
        if "delete_selected" in actions:
            _django, name, description = actions["delete_selected"]
            actions["delete_selected"] = (UserAdmin._delete_selected, name, description)
        return actions

    def _delete_selected(self, request: HttpRequest, queryset: QuerySet[User]) -> Any:
        refused = [(user, services.user_history(user)) for user in queryset]
        refused = [(user, history) for user, history in refused if history]
        if refused:
            names = "；".join(f"{user}（{'、'.join(history)}）" for user, history in refused)
            self.message_user(
                request,
                gettext(
                    "没有删除任何账号：以下账号已有历史记录，删除会让记录失去操作人，"
                    "请改用“停用所选账号”：%(names)s"
                )
                % {"names": names},
                messages.ERROR,
            )
            return None
        return delete_selected(self, request, queryset)

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: Any = None
    ) -> HttpResponse:
        user = self.get_object(request, object_id)
        if user is not None:
            history = services.user_history(user)
            if history:
                self.message_user(
                    request,
                    gettext(
                        "账号“%(user)s”已有历史记录（%(history)s），不能删除：删除会让这些"
                        "记录失去操作人。请在账号列表中选中它，执行“停用所选账号”。"
                    )
                    % {"user": user, "history": "、".join(history)},
                    messages.ERROR,
                )
                return HttpResponseRedirect(reverse("admin:org_user_change", args=[user.pk]))
        return super().delete_view(request, object_id, extra_context)

    def delete_model(self, request: HttpRequest, obj: User) -> None:
        services.user_delete(user=obj, actor=request.user)  # type: ignore[arg-type]

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            services.user_delete(user=user, actor=request.user)  # type: ignore[arg-type]

    @admin.action(description=_("停用所选账号"))
    def deactivate(self, request: HttpRequest, queryset: QuerySet[User]) -> HttpResponse | None:
        return self._with_reason(request, queryset, "deactivate")

    @admin.action(description=_("重新启用所选账号"))
    def reactivate(self, request: HttpRequest, queryset: QuerySet[User]) -> HttpResponse | None:
        return self._with_reason(request, queryset, "reactivate")

    def _with_reason(
        self, request: HttpRequest, queryset: QuerySet[User], action: str
    ) -> HttpResponse | None:
        """Ask for the reason on an intermediate page, then call the service per account."""
        service = services.user_deactivate if action == "deactivate" else services.user_reactivate
        reason = request.POST.get("reason", "").strip()
        error = ""
        if request.POST.get("apply"):
            done, problems = 0, []
            for user in queryset:
                try:
                    service(user=user, actor=request.user, reason=reason)  # type: ignore[arg-type]
                    done += 1
                except InvalidInput as exc:
                    error = "；".join(e.message for e in exc.errors)
                    break
                except DomainError as exc:
                    problems.append(f"{user}：{exc.message}")
            if not error:
                if done:
                    self.message_user(
                        request,
                        gettext("已处理 %(n)d 个账号。") % {"n": done},
                        messages.SUCCESS,
                    )
                for problem in problems:
                    self.message_user(request, problem, messages.ERROR)
                return None
        title = gettext("停用账号") if action == "deactivate" else gettext("重新启用账号")
        return TemplateResponse(
            request,
            "admin/org/user/reason.html",
            {
                **self.admin_site.each_context(request),
                "title": title,
                "action": action,
                "users": queryset,
                "reason": reason,
                "error": error,
                "deactivating": action == "deactivate",
                "opts": self.model._meta,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
        )


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
