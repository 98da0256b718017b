"""Ledger imports (Celery eager): row-by-row errors with row and column and nothing
written, the valid-rows mode, progress, cancel, idempotent re-import, the rollup counting
imported cases, and the other county's and wrong roles' denial through service, page,
API and command."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from gongzhi.cases.models import Case, Source
from gongzhi.cases.selectors import unit_metrics
from gongzhi.common.errors import NotFound
from gongzhi.org.models import User
from gongzhi.stats import rollup
from gongzhi.stats.imports import run
from gongzhi.stats.imports.columns import template_xlsx
from gongzhi.stats.models import DailyFigures, Job

pytestmark = pytest.mark.django_db
COUNTY = "370829000000"
CHIBI = "421281000000"
HEAD = "受理时间,原台账编号,小区名称,问题描述,承办单位,办结时间,满意度\n"


def u(name: str) -> User:
    return User.objects.get(username=name)


def csv_of(rows: list[str]) -> io.BytesIO:
    return io.BytesIO((HEAD + "\n".join(rows) + "\n").encode("utf-8"))


def good(n: int, unit: str, prefix: str = "OLD") -> list[str]:
    return [
        f"2024-03-{1 + i % 27:02d} 09:00,{prefix}-{i},曾子花园,楼道灯坏了,{unit},2024-03-{2 + i % 27:02d} 10:00,满意"
        for i in range(n)
    ]


def start(rows: list[str], *, user: str = "office", valid_only: bool = False) -> Job:
    job = run.import_start(
        owner=u(user),
        jurisdiction=COUNTY,
        filename="old.csv",
        content=csv_of(rows),
        valid_only=valid_only,
    )
    job.refresh_from_db()
    return job


def imported() -> int:
    return Case.objects.filter(source=Source.IMPORT).count()


def test_errors_name_row_and_column_and_nothing_is_written(
    demo: Any, django_capture_on_commit_callbacks: Any, login: Any
) -> None:
    unit = demo.units["housing_bureau"].name
    rows = [
        *good(3, unit),
        f"2024-13-01,BAD-1,曾子花园,漏水,{unit},,",
        f"2024-03-01 09:00,BAD-2,没有的小区,漏水,{unit},,",
        f"2024-03-01 09:00,BAD-3,曾子花园,漏水,{unit},2024-03-02,很好",
    ]
    before = Case.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        job = start(rows)
    job.refresh_from_db()
    assert job.state == Job.JobState.FAILED
    texts = [e["text"] for e in job.result["error_list"]]
    assert "第 5 行 第 A 列（受理时间）：日期格式应为 YYYY-MM-DD HH:MM" in texts
    assert "第 6 行 第 C 列（小区名称）：本辖区没有小区“没有的小区”" in texts
    assert any(t.startswith("第 7 行 第 G 列（满意度）") for t in texts)
    assert (job.result["imported"], Case.objects.count()) == (0, before)
    sheet = load_workbook(job.file.open("rb")).active
    assert [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)] == [5, 6, 7]
    page = login("office").get(f"/stats/jobs/{job.pk}/").content.decode()
    assert (
        "第 6 行 第 C 列（小区名称）：本辖区没有小区“没有的小区”" in page
        and "未导入任何数据" in page
    )
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "cases",
            "import",
            _path(rows),
            "--jurisdiction",
            COUNTY,
            stdout=io.StringIO(),
            stderr=err,
        )
    assert "第 5 行 第 A 列（受理时间）" in err.getvalue() and Case.objects.count() == before


def test_valid_rows_mode_progress_and_idempotent_reimport(
    demo: Any, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(run, "BATCH", 2)
    unit = demo.units["housing_bureau"].name
    rows = [*good(5, unit), f"2024-03-01 09:00,BAD-2,没有的小区,漏水,{unit},,"]
    with django_capture_on_commit_callbacks(execute=True):
        job = start(rows, valid_only=True)
    job.refresh_from_db()
    assert job.state == Job.JobState.DONE
    assert (job.result["imported"], job.result["errors"], job.progress) == (5, 1, 6)
    cases = Case.objects.filter(source=Source.IMPORT).order_by("original_number")
    assert [c.original_number for c in cases] == [f"OLD-{i}" for i in range(5)]
    case = cases[0]
    assert (
        case.state == "closed"
        and case.rating == "satisfied"
        and case.number.startswith("370829-2024-")
    )
    assert list(case.events.order_by("id").values_list("action", flat=True)) == [
        "register",
        "dispatch",
        "handle",
        "rate",
    ]
    with django_capture_on_commit_callbacks(execute=True):
        again = start(rows[:5])
    again.refresh_from_db()
    assert (again.state, again.result["imported"], again.result["skipped"]) == ("done", 0, 5)
    assert imported() == 5


def test_progress_is_recorded_batch_by_batch(demo: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(run, "BATCH", 2)
    job = run.import_start(
        owner=u("office"),
        jurisdiction=COUNTY,
        filename="old.csv",
        content=csv_of(good(6, demo.units["housing_bureau"].name)),
        enqueue=False,
    )
    seen: list[tuple[int, int, int]] = []

    def spy(read: int, total: int) -> None:
        # What the job row says when the next report comes: the previous one.
        seen.append((read, total, Job.objects.get(pk=job.pk).progress))

    from gongzhi.stats import services

    done = services.job_run(job_id=job.pk, on_progress=spy)
    assert seen == [(2, 6, 0), (4, 6, 2), (6, 6, 4)]
    assert done is not None and (done.state, done.progress, done.percent) == ("done", 6, 100)
    assert imported() == 6


def test_rollup_counts_imported_cases_even_when_the_cursor_passed_them(
    demo: Any, django_capture_on_commit_callbacks: Any
) -> None:
    rollup.catch_up()
    unit = demo.units["housing_bureau"]
    # The worker has read past every id this import will take (a long transaction).
    from gongzhi.stats.models import RollupCursor

    RollupCursor.objects.filter(name=rollup.CURSOR).update(last_id=10**9)
    with django_capture_on_commit_callbacks(execute=True):
        job = start(good(4, unit.name))
    job.refresh_from_db()
    assert job.state == "done", job.result
    day = DailyFigures.objects.filter(unit=unit, day__year=2024, day__month=3)
    assert sum(d.handled for d in day) == 4 and sum(d.received for d in day) == 4
    import datetime as dt

    from django.utils import timezone

    start_at = dt.datetime(2024, 3, 1, tzinfo=timezone.get_current_timezone())
    end_at = dt.datetime(2024, 4, 1, tzinfo=timezone.get_current_timezone())
    m = unit_metrics(units=[unit], start=start_at, end=end_at)[0]
    assert (m.received, m.handled, m.rated, m.satisfied) == (4, 4, 4, 4)


def test_cancel_stops_a_valid_rows_import_after_its_batch(
    demo: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(run, "BATCH", 2)
    job = run.import_start(
        owner=u("office"),
        jurisdiction=COUNTY,
        filename="old.csv",
        content=csv_of(good(6, demo.units["housing_bureau"].name)),
        valid_only=True,
        enqueue=False,
    )
    seen: list[int] = []

    def cancel_midway(read: int, total: int) -> None:
        seen.append(read)
        Job.objects.filter(pk=job.pk).update(state=Job.JobState.CANCELLED)

    from gongzhi.stats import services

    services.job_run(job_id=job.pk, on_progress=cancel_midway)
    job.refresh_from_db()
    # The batch read before the cancel was written; nothing after it.
    assert job.state == "cancelled" and seen == [2] and imported() == 2


def test_other_county_and_wrong_roles_are_refused(demo: Any, login: Any) -> None:
    for name in ("cb-office", "zjj", "resident", "auditor"):
        with pytest.raises(NotFound):
            start(good(1, "x"), user=name)
    for name in ("zjj", "resident", "auditor"):
        assert login(name).get("/stats/imports/").status_code == 404
    client = login("cb-office")
    page = client.post("/stats/imports/", {"jurisdiction": COUNTY, "file": _upload(good(1, "x"))})
    assert page.status_code == 404
    api = client.post("/api/stats/imports", {"jurisdiction": COUNTY, "file": _upload(good(1, "x"))})
    assert api.status_code == 404
    assert client.get("/stats/imports/").status_code == 200  # its own county only
    assert COUNTY not in client.get("/stats/imports/").content.decode()
    with pytest.raises(CommandError):
        call_command(
            "cases", "import", _path(good(1, "x")), "--jurisdiction", COUNTY, "--user", "cb-office"
        )
    assert imported() == 0


def test_page_api_and_command_import(
    demo: Any, login: Any, django_capture_on_commit_callbacks: Any
) -> None:
    unit = demo.units["housing_bureau"].name
    client = login("office")
    assert client.get("/stats/imports/template.xlsx").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(
            "/stats/imports/", {"jurisdiction": COUNTY, "file": _upload(good(2, unit, "P"))}
        )
    job = Job.objects.filter(kind="import", owner=u("office")).latest("id")
    assert page["Location"] == f"/stats/jobs/{job.pk}/"
    assert "已完成" in client.get(page["Location"]).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        api = client.post(
            "/api/stats/imports", {"jurisdiction": COUNTY, "file": _upload(good(2, unit, "A"))}
        )
    assert api.status_code == 201, api.content
    status = client.get(f"/api/stats/jobs/{api.json()['id']}").json()
    assert status["state"] == "done"
    errors = client.get(f"/api/stats/imports/{api.json()['id']}/errors").json()
    assert errors["imported"] == 2 and errors["errors"] == []
    out = io.StringIO()
    call_command(
        "cases",
        "import",
        _path(good(2, unit, "C")),
        "--jurisdiction",
        COUNTY,
        stdout=out,
        stderr=io.StringIO(),
    )
    assert "导入 2 件" in out.getvalue()
    assert imported() == 6


def test_an_export_reimports(demo: Any) -> None:
    assert load_workbook(io.BytesIO(template_xlsx())).active["A1"].value == "台账编号"
    from django.utils import timezone

    from gongzhi.cases.exports import ReporterVisibility, ledger_rows, ledger_xlsx
    from gongzhi.cases.selectors import LedgerFilter, ledger

    office = u("office")
    vis = ReporterVisibility.for_user(office)
    qs = vis.prepare(ledger(office, LedgerFilter(state="closed")))
    n = qs.count()
    data = ledger_xlsx(ledger_rows(qs, vis, timezone.now()), title="t", now=timezone.now())
    job = run.import_start(
        owner=office,
        jurisdiction=COUNTY,
        filename="l.xlsx",
        content=io.BytesIO(data),
        enqueue=False,
    )
    from gongzhi.stats import services

    done = services.job_run(job_id=job.pk)
    assert done is not None and done.state == "done", done.result if done else None
    assert done.result["imported"] == n and n > 0


def _upload(rows: list[str]) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("old.csv", csv_of(rows).getvalue(), content_type="text/csv")


def _path(rows: list[str]) -> str:
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".csv", delete=False) as f:
        f.write(csv_of(rows).getvalue())
    return f.name
