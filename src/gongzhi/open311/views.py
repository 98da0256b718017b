"""The GeoReport v2 doors (plain Django views: the format is the standard's, not the
JSON API's). Each answers in the format its URL names (``.json`` or ``.xml``); a
refusal is the standard's error list with a Chinese description and its HTTP status.
Reads are public and show no personal data; ``POST requests`` needs ``api_key``, an
integration token (``gongzhi token USER --channels …``)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from gongzhi.common.apiauth import token_auth
from gongzhi.common.errors import DomainError, NotFound, PermissionDenied
from gongzhi.open311 import formats, selectors, services, services_list
from gongzhi.open311.models import RequestToken

MAX_PARAM = 200
View = Callable[..., HttpResponse]


def door(*methods: str) -> Callable[[View], View]:
    """Allow ``methods``; turn domain errors into the standard's error answer."""

    def wrap(view: View) -> View:
        @wraps(view)
        def run(request: HttpRequest, *args: Any, fmt: str, **kwargs: Any) -> HttpResponse:
            if request.method not in methods:
                allowed = "、".join(methods)
                response = formats.error(
                    fmt, 405, [_("不支持该请求方法，只能用 %(methods)s") % {"methods": allowed}]
                )
                response["Allow"] = ", ".join(methods)
                return response
            long = [k for k, v in request.GET.items() if len(v) > MAX_PARAM or len(k) > 40]
            if long:
                return formats.error(
                    fmt, 400, [_("参数 %(name)s 太长") % {"name": k[:40]} for k in long]
                )
            try:
                return view(request, *args, fmt=fmt, **kwargs)
            except DomainError as exc:
                return formats.domain_error(fmt, exc)

        return run

    return wrap


def _jurisdiction(request: HttpRequest, *, required: bool) -> Any:
    code = request.GET.get("jurisdiction_id", "").strip()
    if not code and not required:
        return None
    return services_list.jurisdiction_for(code)


@door("GET")
def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    jurisdiction = _jurisdiction(request, required=True)
    return formats.render(fmt, "services", services_list.services(jurisdiction))


@door("GET")
def service_definition(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    jurisdiction = _jurisdiction(request, required=True)
    definition = services_list.definition(jurisdiction, code)
    return formats.render(fmt, "service_definition", definition)


@csrf_exempt
@door("GET", "POST")
def request_list(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _create(request, fmt)
    jurisdiction = _jurisdiction(request, required=True)
    found = selectors.requests(jurisdiction, selectors.parse_filter(request.GET))
    records = [selectors.request_record(c) for c in found]
    return formats.render(fmt, "service_requests", records)


def _create(request: HttpRequest, fmt: str) -> HttpResponse:
    key = (request.POST.get("api_key") or "").strip()
    if not key:
        raise PermissionDenied(_("缺少 api_key（接口令牌，由 gongzhi token 创建）"))
    if len(key) > MAX_PARAM or token_auth.authenticate(request, key) is None:
        raise PermissionDenied(_("api_key 无效或已吊销"))
    created = services.open311_request_create(
        token=request.api_token,  # type: ignore[attr-defined]
        form=request.POST,
    )
    case = created.case
    notice = _("已登记，编号 %(number)s") % {"number": case.number}
    track_key = getattr(case, "track_key", None)
    if track_key:
        notice = _(
            "已登记，编号 %(number)s；诉求人查询码 %(key)s（请转告诉求人，凭编号和查询码查询进度）"
        ) % {"number": case.number, "key": track_key}
    record = {
        "service_request_id": case.number,
        "token": created.token,
        "service_notice": notice,
        "account_id": None,
    }
    return formats.render(fmt, "service_requests", [record], status=201)


@door("GET")
def request_detail(request: HttpRequest, number: str, fmt: str) -> HttpResponse:
    jurisdiction = _jurisdiction(request, required=False)
    case = selectors.public_cases(jurisdiction).filter(number=number).first()
    if case is None:
        raise NotFound(_("服务请求 %(number)s 不存在") % {"number": number})
    return formats.render(fmt, "service_requests", [selectors.request_record(case)])


@door("GET")
def token_detail(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    row = RequestToken.objects.select_related("case").filter(token=token).first()
    if row is None:
        raise NotFound(_("令牌 %(token)s 不存在") % {"token": token})
    record = {"service_request_id": row.case.number, "token": row.token}
    return formats.render(fmt, "service_requests", [record])
