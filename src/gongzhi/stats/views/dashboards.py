"""The dashboards: the reader's whole scope (the office or a leader), one street (town),
one unit. The page holds the filters, the totals and the three rates; each chart is a
container whose ``data-src`` names its JSON endpoint (stats/api.py), drawn by
static/js/stats.js with ECharts (no inline script under the CSP)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from gongzhi.cases.reports import PRESETS
from gongzhi.catalog.models import MatterType
from gongzhi.org.models import Estate
from gongzhi.stats import access, selectors
from gongzhi.stats.selectors import Board


def _page(request: HttpRequest, title: str, kind: str, **fixed: Any) -> HttpResponse:
    board, errors = Board.from_params(request.user, request.GET, **fixed)
    params = {
        k: v
        for k, v in request.GET.items()
        if k in ("preset", "start", "end", "estate", "matter") and v
    }
    if board.street is not None:
        params["street"] = board.street.code
    if board.unit is not None:
        params["unit"] = board.unit.code
    query = urlencode(params)
    api = reverse("api:stats_summary").rsplit("/", 1)[0]
    charts = [
        ("trend_month", _("按月趋势"), f"{api}/trend?by=month&{query}", "trend"),
        ("trend_week", _("按周趋势"), f"{api}/trend?by=week&{query}", "trend"),
        ("matter", _("按事项"), f"{api}/breakdown?by=matter&{query}", "bar"),
    ]
    if board.unit is None:
        charts.append(("unit", _("按单位"), f"{api}/breakdown?by=unit&{query}", "bar"))
    if board.street is None:
        charts.append(("street", _("按街道/镇"), f"{api}/breakdown?by=street&{query}", "bar"))
    charts += [
        ("estate", _("按小区"), f"{api}/breakdown?by=estate&{query}", "bar"),
        ("overdue", _("超时（拖延不办）排名"), f"{api}/ranking?kind=overdue&{query}", "rank"),
        (
            "buck_passing",
            _("推诿扯皮排名"),
            f"{api}/ranking?kind=buck_passing&{query}",
            "rank",
        ),
        ("map", _("小区地图：在办与超时案件"), f"{api}/map?{query}", "map"),
    ]
    context: dict[str, Any] = {
        "title": title,
        "kind": kind,
        "board": board,
        "presets": PRESETS,
        "errors": [{"field": k, "message": v} for k, v in errors.items()],
        "field_errors": errors,
        "estates": Estate.objects.order_by("code").only("code", "name"),
        "matters": MatterType.objects.order_by("code").values_list("code", "name").distinct(),
        "charts": None if errors else charts,
        "summary": None if errors else selectors.summary(board),
    }
    return render(request, "stats/dashboard.html", context, status=422 if errors else 200)


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    if not access.may_see_dashboard(request.user):
        raise Http404(_("没有可查看的统计"))
    return _page(request, _("统计分析"), "scope")


@login_required
def street_dashboard(request: HttpRequest, code: str) -> HttpResponse:
    street = access.readable_street(request.user, code)
    if street is None:
        raise Http404(_("街道不存在或无权查看"))
    return _page(request, _("%(name)s统计分析") % {"name": street.name}, "street", street=street)


@login_required
def unit_dashboard(request: HttpRequest, code: str) -> HttpResponse:
    unit = access.readable_unit(request.user, code)
    if unit is None:
        raise Http404(_("单位不存在或无权查看"))
    return _page(request, _("%(name)s统计分析") % {"name": unit.name}, "unit", unit=unit)
