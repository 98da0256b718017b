"""The JSON API: one NinjaAPI, one router per app, OpenAPI served at /api/openapi.json
and browsable at /api/docs. Domain errors become 4xx answers with Chinese messages."""

from __future__ import annotations

import importlib
import json
from typing import Any

from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.docs import Swagger

from gongzhi.common.errors import DomainError, InvalidInput, pydantic_field_errors
from gongzhi.common.unavailable import database_unavailable, unavailable_response


class LocalSwagger(Swagger):
    """Swagger UI from the server's own static files (no CDN, CSP-clean), without ninja
    being an installed app."""

    def render_page(self, request: HttpRequest, api: Any, **kwargs: Any) -> HttpResponse:
        self.settings["url"] = self.get_openapi_url(api, kwargs)
        context = {
            "swagger_settings": json.dumps(self.settings, indent=1),
            "api": api,
            "add_csrf": True,
        }
        return render(request, self.template, context)


class GongzhiAPI(NinjaAPI):
    """Every operation also declares 400: ``NulInputMiddleware`` (gongzhi.common.nul)
    refuses text holding U+0000 before any endpoint runs, whatever the endpoint."""

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        refused = {
            "description": _("输入含空字符（bad_text）或无法处理"),
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}},
        }
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                if isinstance(operation, dict) and "responses" in operation:
                    operation["responses"].setdefault("400", refused)
        return schema


api = GongzhiAPI(
    title="共治 Gongzhi API",
    version="1",
    description="物业管理联动平台接口。权限与页面一致：会话登录或 API 令牌。",
    urls_namespace="api",
    docs=LocalSwagger(),
)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    body: dict[str, object] = {"code": exc.code, "message": exc.message}
    if isinstance(exc, InvalidInput):
        body["errors"] = [e.as_dict() for e in exc.errors]
    return api.create_response(request, body, status=exc.status)


@api.exception_handler(DatabaseError)
def database_error(request: HttpRequest, exc: DatabaseError) -> HttpResponse:
    """503 with Retry-After when the database cannot be reached; any other database error
    goes on to Django's own handling (a 500)."""
    if database_unavailable(exc):
        return unavailable_response(request)
    raise exc


@api.exception_handler(NinjaValidationError)
def validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = [e.as_dict() for e in pydantic_field_errors(list(exc.errors))]
    return api.create_response(
        request,
        {"code": "invalid", "message": _("输入有误，请按提示修改"), "errors": errors},
        status=422,
    )


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    """``get_object_or_404`` in an endpoint: the same Chinese body as a domain 404."""
    return api.create_response(
        request, {"code": "not_found", "message": _("未找到，或无权查看")}, status=404
    )


@api.exception_handler(AuthenticationError)
def auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request, {"code": "unauthenticated", "message": _("请先登录")}, status=401
    )


# Each app's api.py holds a ``router``; its endpoints declare their own auth.
for _prefix, _module in (
    ("/org/", "gongzhi.org.api"),
    ("/catalog/", "gongzhi.catalog.api"),
    ("/cases/", "gongzhi.cases.api"),
    ("/meetings/", "gongzhi.meetings.api"),
    ("/stats/", "gongzhi.stats.api"),
    ("/appraisal/", "gongzhi.appraisal.api"),
    ("/parties/", "gongzhi.parties.api"),
    ("/problems/", "gongzhi.problems.api"),
    ("/campaigns/", "gongzhi.campaigns.api"),
    ("/board/", "gongzhi.board.api"),
):
    api.add_router(_prefix, importlib.import_module(_module).router)
