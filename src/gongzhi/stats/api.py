"""The JSON API of the dashboards: the data of every chart, read from the rollup within
what the caller may see (stats/access.py). Each point carries ``ledger``: the ledger
page listing the cases behind it."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema

from gongzhi.common.apiauth import api_auth
from gongzhi.common.errors import FieldError, InvalidInput, NotFound
from gongzhi.common.schemas import READ_ERRORS
from gongzhi.stats import access, selectors
from gongzhi.stats.selectors import Board

router = Router(tags=["统计分析"], auth=api_auth)

Code = Annotated[str, Query(max_length=40)]
Preset = Literal["", "month", "last_month", "quarter", "year", "custom"]


class FiguresOut(Schema):
    received: int
    accepted: int
    accepted_on_time: int
    handled: int
    rated: int
    satisfied: int
    overdue: int
    returned: int
    buck_passing: int
    reopened: int
    response_rate: float | None
    resolve_rate: float | None
    satisfaction_rate: float | None
    ledger: str


class PointOut(FiguresOut):
    key: str
    label: str


class SummaryOut(FiguresOut):
    start: dt.date
    end: dt.date
    as_of: dt.datetime | None


class EstateOut(Schema):
    key: str
    label: str
    lat: float
    lon: float
    open: int
    overdue: int
    ledger: str
    ledger_overdue: str


class BoardQuery(Schema):
    preset: Preset = ""
    start: Code = ""
    end: Code = ""
    street: Code = ""
    unit: Code = ""
    estate: Code = ""
    matter: Code = ""


def board_for(request: HttpRequest, q: BoardQuery) -> Board:
    """The board of a request: 404 for a street or unit the caller may not read, 422
    with the errors by field for bad dates or an unknown estate."""
    if not access.may_see_dashboard(request.user):
        raise NotFound("没有可查看的统计")
    fixed: dict[str, Any] = {}
    if q.street:
        fixed["street"] = access.readable_street(request.user, q.street)
        if fixed["street"] is None:
            raise NotFound("街道不存在或无权查看")
    if q.unit:
        fixed["unit"] = access.readable_unit(request.user, q.unit)
        if fixed["unit"] is None:
            raise NotFound("单位不存在或无权查看")
    board, errors = Board.from_params(request.user, q.dict(), **fixed)
    if errors:
        raise InvalidInput(errors=[FieldError(k, v) for k, v in errors.items()])
    return board


@router.get(
    "/summary",
    response={200: SummaryOut, **READ_ERRORS},
    summary="统计总览与三率",
    url_name="stats_summary",
)
def summary(request: HttpRequest, q: Query[BoardQuery]) -> dict[str, Any]:
    board = board_for(request, q)
    return {
        **selectors.summary(board),
        "start": board.period.start,
        "end": board.period.end,
    }


@router.get("/trend", response={200: list[PointOut], **READ_ERRORS}, summary="按周/按月趋势")
def trend(
    request: HttpRequest, q: Query[BoardQuery], by: Literal["week", "month"] = "month"
) -> list[dict[str, Any]]:
    return selectors.trend(board_for(request, q), by)


@router.get(
    "/breakdown",
    response={200: list[PointOut], **READ_ERRORS},
    summary="按单位、街道、小区或事项分列",
)
def breakdown(
    request: HttpRequest,
    q: Query[BoardQuery],
    by: Literal["unit", "street", "estate", "matter"] = "unit",
) -> list[dict[str, Any]]:
    return selectors.breakdown(board_for(request, q), by)


@router.get("/ranking", response={200: list[PointOut], **READ_ERRORS}, summary="超时、推诿扯皮排名")
def ranking(
    request: HttpRequest,
    q: Query[BoardQuery],
    kind: Literal["overdue", "buck_passing"] = "overdue",
) -> list[dict[str, Any]]:
    return selectors.ranking(board_for(request, q), kind)


@router.get(
    "/map", response={200: list[EstateOut], **READ_ERRORS}, summary="小区地图：在办与超时案件"
)
def estate_map(request: HttpRequest, q: Query[BoardQuery]) -> list[dict[str, Any]]:
    return selectors.estate_map(board_for(request, q))
