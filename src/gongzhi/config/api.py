"""The JSON API: one NinjaAPI, one router per app, OpenAPI served at /api/openapi.json
and browsable at /api/docs. Domain errors become 4xx answers with Chinese messages."""

from __future__ import annotations

import importlib

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError

from gongzhi.common.errors import DomainError, InvalidInput
from gongzhi.common.unavailable import database_unavailable, unavailable_response

api = NinjaAPI(
    title="共治 Gongzhi API",
    version="1",
    description="物业管理联动平台接口。权限与页面一致：会话登录或 API 令牌。",
    urls_namespace="api",
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
    errors = []
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", []) if p not in ("body", "payload", "query")]
        errors.append({"field": ".".join(loc), "message": _zh(err), "row": None, "column": None})
    return api.create_response(
        request,
        {"code": "invalid", "message": "输入有误，请按提示修改", "errors": errors},
        status=422,
    )


@api.exception_handler(AuthenticationError)
def auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request, {"code": "unauthenticated", "message": "请先登录"}, status=401
    )


def _zh(err: dict[str, object]) -> str:
    kind = str(err.get("type", ""))
    messages = {
        "missing": "必填",
        "string_too_short": "不能为空",
        "string_too_long": "太长",
        "int_parsing": "应为整数",
        "int_type": "应为整数",
        "bool_parsing": "应为是/否",
        "datetime_parsing": "日期时间格式不正确",
        "date_from_datetime_parsing": "日期格式不正确",
        "literal_error": "取值不在允许范围内",
        "enum": "取值不在允许范围内",
        "string_type": "应为文本",
        "json_invalid": "不是有效的 JSON",
    }
    return messages.get(kind, f"格式不正确（{err.get('msg', kind)}）")


# Each app's api.py holds a ``router``; its endpoints declare their own auth.
for _prefix, _module in (
    ("/org/", "gongzhi.org.api"),
    ("/catalog/", "gongzhi.catalog.api"),
    ("/cases/", "gongzhi.cases.api"),
    ("/meetings/", "gongzhi.meetings.api"),
):
    api.add_router(_prefix, importlib.import_module(_module).router)
