from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from gongzhi.catalog.classify import get_classifier
from gongzhi.catalog.downloads import export_response
from gongzhi.catalog.files import read_catalog_file
from gongzhi.catalog.models import Catalog
from gongzhi.catalog.routing import route
from gongzhi.catalog.selectors import effective_catalog
from gongzhi.catalog.services import catalog_export, catalog_import
from gongzhi.common.errors import DomainError, InvalidInput
from gongzhi.common.http import HtmxHttpRequest
from gongzhi.org.models import Estate, Jurisdiction, User
from gongzhi.org.permissions import scope_for

MAX_UPLOAD = 5 * 1024 * 1024


def index(request: HttpRequest) -> HttpResponse:
    catalogs = Catalog.objects.select_related("jurisdiction").order_by("jurisdiction__path")
    return render(request, "catalog/index.html", {"catalogs": catalogs})


def detail(request: HttpRequest, code: str) -> HttpResponse:
    node = get_object_or_404(Jurisdiction, code=code)
    entries = list(effective_catalog(node).values())
    q = request.GET.get("q", "").strip()
    if q:
        entries = [
            e
            for e in entries
            if q in e.matter.name or q in e.matter.description or q in e.matter.code
        ]
    can_import = scope_for(request.user).manages_jurisdiction(node)
    return render(
        request,
        "catalog/detail.html",
        {"node": node, "entries": entries, "q": q, "can_import": can_import},
    )


@login_required
def import_file(request: HttpRequest, code: str) -> HttpResponse:
    node = get_object_or_404(Jurisdiction, code=code)
    if not scope_for(request.user).manages_jurisdiction(node):
        raise PermissionDenied(_("只有本辖区的联席会议办公室可以导入职责清单"))
    context: dict[str, object] = {"node": node}
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise InvalidInput(summary=_("请选择要导入的文件"), errors=[])
            if upload.size and upload.size > MAX_UPLOAD:
                raise InvalidInput(summary=_("文件超过 5 MB，请拆分后导入"), errors=[])
            doc = read_catalog_file(upload.read(), upload.name or "")
            result = catalog_import(
                jurisdiction=node,
                document=doc,
                actor=cast(User, request.user),  # @login_required
                filename=upload.name or "",
            )
        except InvalidInput as exc:
            context.update(errors=exc.errors, summary=exc.message)
            status = 422
        else:
            messages.success(
                request,
                _(
                    "已导入：新增 %(created)s 项，更新 %(updated)s 项，删除 %(removed)s 项，新建单位 %(units_created)s 个（第 %(revision)s 版）"
                )
                % {
                    "created": result.created,
                    "updated": result.updated,
                    "removed": result.removed,
                    "units_created": result.units_created,
                    "revision": result.catalog.revision,
                },
            )
            return redirect("catalog:detail", code=node.code)
    return render(request, "catalog/import.html", context, status=status)


def export_file(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    node = get_object_or_404(Jurisdiction, code=code)
    try:
        data = catalog_export(jurisdiction=node, fmt=fmt)
    except DomainError as exc:
        return HttpResponse(
            exc.message, status=exc.status, content_type="text/plain; charset=utf-8"
        )
    return export_response(data, node, fmt)


def route_page(request: HtmxHttpRequest) -> HttpResponse:
    estates = Estate.objects.select_related("community").order_by("code")
    estate_code = request.GET.get("estate", "")
    matter_code = request.GET.get("matter", "")
    text = request.GET.get("text", "").strip()
    context: dict[str, object] = {
        "estates": estates,
        "estate_code": estate_code,
        "matter_code": matter_code,
        "text": text,
    }
    estate = Estate.objects.select_related("community").filter(code=estate_code).first()
    if estate is not None:
        entries = effective_catalog(estate.community)
        context["matters"] = [e.matter for e in entries.values()]
        if text:
            context["suggestions"] = get_classifier().suggest(text, estate.community)
        if matter_code:
            try:
                context["result"] = route(estate=estate, matter_code=matter_code)
            except DomainError as exc:
                context["error"] = exc.message
    template = "catalog/_route_result.html" if request.htmx else "catalog/route.html"
    return render(request, template, context)
