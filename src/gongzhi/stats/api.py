"""The JSON API of the dashboards: the data of every chart, read from the rollup within
what the caller may see (stats/access.py). Each point carries ``ledger``: the ledger
page listing the cases behind it."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.http import FileResponse, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile

from gongzhi.cases.exports import XLSX_TYPE
from gongzhi.common.apiauth import api_auth
from gongzhi.common.errors import FieldError, InvalidInput, NotFound
from gongzhi.common.params import PathId
from gongzhi.common.schemas import ERRORS, READ_ERRORS
from gongzhi.stats import access, selectors, services
from gongzhi.stats.models import Job
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
        raise NotFound(_("没有可查看的统计"))
    fixed: dict[str, Any] = {}
    if q.street:
        fixed["street"] = access.readable_street(request.user, q.street)
        if fixed["street"] is None:
            raise NotFound(_("街道不存在或无权查看"))
    if q.unit:
        fixed["unit"] = access.readable_unit(request.user, q.unit)
        if fixed["unit"] is None:
            raise NotFound(_("单位不存在或无权查看"))
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


# --- long exports (jobs) -------------------------------------------------------------------


class JobIn(Schema):
    kind: Literal["ledger", "metrics"]
    params: dict[str, Annotated[str, Field(max_length=200)]] = Field(
        default_factory=dict,
        description="与页面相同的条件：台账的筛选条件（estate, unit, matter, state, channel, "
        "date_from, date_to, overdue, q, street, metric, open），或指标的区间（preset, start, end, all）",
    )


class JobOut(Schema):
    id: int
    kind: str
    state: str
    state_label: str
    total: int
    progress: int
    percent: int
    filename: str
    error: str
    created_at: dt.datetime
    finished_at: dt.datetime | None
    download: str | None


def _job_out(job: Job) -> dict[str, Any]:
    return {
        "id": job.pk,
        "kind": job.kind,
        "state": job.state,
        "state_label": job.get_state_display(),
        "total": job.total,
        "progress": job.progress,
        "percent": job.percent,
        "filename": job.filename,
        "error": job.error,
        "created_at": job.created_at,
        "finished_at": job.finished_at,
        "download": f"/api/stats/jobs/{job.pk}/file" if job.file else None,
    }


def _job(request: HttpRequest, pk: int) -> Job:
    job = access.readable_jobs(request.user).filter(pk=pk).first()
    if job is None:
        raise NotFound(_("任务不存在"))
    return job


@router.post("/jobs", response={201: JobOut, **ERRORS}, summary="提交后台导出任务")
def job_create(request: HttpRequest, body: JobIn) -> Status:
    job = services.job_start(owner=request.user, kind=body.kind, params=body.params)
    job.refresh_from_db()
    return Status(201, _job_out(job))


@router.get("/jobs", response={200: list[JobOut], **READ_ERRORS}, summary="我的后台任务")
def job_list(request: HttpRequest) -> list[dict[str, Any]]:
    jobs = access.readable_jobs(request.user).order_by("-created_at", "-id")[:50]
    return [_job_out(j) for j in jobs]


@router.get("/jobs/{pk}", response={200: JobOut, **READ_ERRORS}, summary="后台任务进度")
def job_detail(request: HttpRequest, pk: PathId) -> dict[str, Any]:
    return _job_out(_job(request, pk))


@router.post("/jobs/{pk}/cancel", response={200: JobOut, **ERRORS}, summary="取消后台任务")
def job_cancel(request: HttpRequest, pk: PathId) -> dict[str, Any]:
    return _job_out(services.job_cancel(job=_job(request, pk), actor=request.user))


@router.get("/jobs/{pk}/file", response={200: None, **READ_ERRORS}, summary="下载任务生成的文件")
def job_file(request: HttpRequest, pk: PathId) -> FileResponse:
    job = _job(request, pk)
    if not job.file:  # an export's sheet once done; an import's error report
        raise NotFound(_("文件尚未生成"))
    return FileResponse(
        job.file.open("rb"), as_attachment=True, filename=job.filename, content_type=XLSX_TYPE
    )


class ImportResultOut(Schema):
    state: str
    rows: int
    imported: int
    skipped: int
    error_count: int
    errors: list[dict[str, Any]]


@router.post("/imports", response={201: JobOut, **ERRORS}, summary="导入历史台账（.xlsx/.csv）")
def import_create(
    request: HttpRequest,
    jurisdiction: Annotated[str, Form(max_length=20)],
    file: Annotated[UploadedFile, File()],
    valid_only: Annotated[bool, Form()] = False,
) -> Status:
    from gongzhi.stats.imports.run import import_start

    job = import_start(
        owner=request.user,
        jurisdiction=jurisdiction,
        filename=file.name or "",
        content=file,
        valid_only=valid_only,
    )
    job.refresh_from_db()
    return Status(201, _job_out(job))


@router.get(
    "/imports/{pk}/errors", response={200: ImportResultOut, **READ_ERRORS}, summary="导入结果与错误"
)
def import_errors(request: HttpRequest, pk: PathId) -> dict[str, Any]:
    job = _job(request, pk)
    if job.kind != Job.Kind.IMPORT:
        raise NotFound(_("任务不存在"))
    r = job.result or {}
    return {
        "state": job.state,
        "rows": r.get("rows", 0),
        "imported": r.get("imported", 0),
        "skipped": r.get("skipped", 0),
        "error_count": r.get("errors", 0),
        "errors": r.get("error_list", []),
    }
