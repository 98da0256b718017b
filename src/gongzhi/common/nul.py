"""Text with a NUL character is refused at the door.

PostgreSQL text columns cannot hold U+0000 (SQLite can), so a query parameter, path, form
field or JSON string carrying one would reach a filter or a save and fail there with a
500 on one database and not on the other. ``NulInputMiddleware`` answers 400 with a
Chinese message before any view runs, the same on both databases. Uploaded files are
bytes, not text, and are not looked at.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from gongzhi.common.unavailable import wants_json

# A JSON ``\u0000`` escape that is not itself escaped (``\\u0000`` is a backslash and text).
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000", re.IGNORECASE)
_FORM_NUL = re.compile(rb"%00")


def _has_nul(values: Iterable[str]) -> bool:
    return any("\x00" in value for value in values)


def carries_nul(request: HttpRequest) -> bool:
    if "\x00" in request.path or _has_nul(request.GET.keys()):
        return True
    if any(_has_nul(values) for _key, values in request.GET.lists()):
        return True
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return False
    content_type = request.content_type or ""
    if content_type == "multipart/form-data":
        return _has_nul(request.POST.keys()) or any(
            _has_nul(values) for _key, values in request.POST.lists()
        )
    if content_type == "application/x-www-form-urlencoded":
        return b"\x00" in request.body or _FORM_NUL.search(request.body) is not None
    if content_type.endswith("json"):
        return b"\x00" in request.body or _JSON_NUL.search(request.body) is not None
    if content_type.startswith("text/"):
        return b"\x00" in request.body
    return False  # bytes of another kind (a file) are not text


def nul_refused(request: HttpRequest) -> HttpResponse:
    message = _("输入含有空字符（NUL，\\u0000），系统不能保存或查询它；请删除后重试。")
    if wants_json(request):
        return JsonResponse(
            {"code": "bad_text", "message": message},
            status=400,
            json_dumps_params={"ensure_ascii": False},
        )
    return HttpResponse(render_to_string("errors/400.html", {"message": message}), status=400)


class NulInputMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if carries_nul(request):
            return nul_refused(request)
        return self.get_response(request)
