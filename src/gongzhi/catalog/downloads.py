"""The HTTP answer carrying an exported catalog file, shared by the page, the API and the
admin action (kept apart from api.py so that neither the admin nor the pages load the
JSON API's framework for it)."""

from __future__ import annotations

from django.http import HttpResponse

from gongzhi.org.models import Jurisdiction


def export_response(data: bytes, node: Jurisdiction, fmt: str) -> HttpResponse:
    content_type = (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        if fmt == "xlsx"
        else "application/yaml; charset=utf-8"
    )
    response = HttpResponse(data, content_type=content_type)
    filename = f"catalog-{node.code}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
