"""Long exports as jobs (Celery eager in tests): the door, progress, the file, errors,
cancelling, and that nobody but the owner reads a job or its file."""

from __future__ import annotations

import io
import tempfile
from collections.abc import Iterator
from typing import Any

import pytest
from openpyxl import load_workbook

from gongzhi.cases import exports
from gongzhi.cases.selectors import LedgerFilter, ledger
from gongzhi.common.models import AuditEvent
from gongzhi.org.models import User
from gongzhi.stats import services
from gongzhi.stats.models import Job

pytestmark = pytest.mark.django_db


def u(name: str) -> User:
    return User.objects.get(username=name)


@pytest.fixture
def small_threshold(settings: Any, demo: Any) -> int:
    settings.GONGZHI_EXPORT_JOB_ROWS = 2
    return 2


@pytest.fixture
def every_row(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Progress reported after every row; the reports seen, in order."""
    monkeypatch.setattr(exports, "PROGRESS_EVERY", 1)
    seen: list[int] = []
    real = services._progress

    def spy(job_id: int, base: int = 0) -> Any:
        report = real(job_id, base)

        def wrapped(done: int) -> None:
            seen.append(done)
            report(done)

        return wrapped

    monkeypatch.setattr(services, "_progress", spy)
    return seen


def office_count() -> int:
    return ledger(u("office"), LedgerFilter()).count()


def test_a_large_ledger_export_runs_as_a_job_with_progress(
    small_threshold: int,
    every_row: list[int],
    login: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = login("office")
    response = client.get("/cases/ledger.xlsx?channel=12345")
    assert response.status_code == 302 and response["Location"].startswith(
        "/stats/exports/ledger/?channel=12345"
    )
    page = client.get(response["Location"])
    assert page.status_code == 200 and "开始生成" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        posted = client.post("/stats/exports/ledger/", {"channel": "12345"})
    job = Job.objects.exclude(kind=Job.Kind.IMPORT).get(owner=u("office"))
    assert posted["Location"] == f"/stats/jobs/{job.pk}/"
    total = ledger(u("office"), LedgerFilter(channel="12345")).count()
    assert total > 2
    assert (job.state, job.total, job.progress) == ("done", total, total)
    assert every_row == list(range(1, total + 1))
    html = client.get(f"/stats/jobs/{job.pk}/").content.decode()
    assert "hx-trigger" not in html  # no more polling once done
    assert f"/stats/jobs/{job.pk}/download/" in html
    download = client.get(f"/stats/jobs/{job.pk}/download/")
    assert download.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    assert sheet.max_row == total + 2  # title and header rows
    assert AuditEvent.objects.filter(action="job_start", target_id=str(job.pk)).exists()


def test_a_small_export_is_answered_at_once(demo: Any, login: Any) -> None:
    client = login("office")
    response = client.get("/stats/exports/ledger/?channel=12345")
    assert response.status_code == 302
    assert response["Location"] == "/cases/ledger.xlsx?channel=12345"
    assert client.get("/cases/ledger.xlsx").status_code == 200
    assert not Job.objects.exclude(kind=Job.Kind.IMPORT).exists()  # the demo has an import


def test_another_user_cannot_see_or_download_the_job(
    small_threshold: int, login: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        job = services.job_start(owner=u("office"), kind="ledger", params={})
    job.refresh_from_db()
    assert job.state == "done"
    for name in ("auditor", "zfj", "cb-office", "convener"):
        client = login(name)
        for url in (
            f"/stats/jobs/{job.pk}/",
            f"/stats/jobs/{job.pk}/download/",
            f"/api/stats/jobs/{job.pk}",
            f"/api/stats/jobs/{job.pk}/file",
        ):
            assert client.get(url).status_code == 404, (name, url)
        assert client.post(f"/api/stats/jobs/{job.pk}/cancel").status_code == 404
        assert client.get("/api/stats/jobs").json() == []
    owner = login("office")
    assert owner.get(f"/api/stats/jobs/{job.pk}/file").status_code == 200


def test_a_failing_job_records_its_error(
    small_threshold: int,
    monkeypatch: pytest.MonkeyPatch,
    login: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    def broken(*args: Any, **kwargs: Any) -> bytes:
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "ledger_xlsx", broken)
    with django_capture_on_commit_callbacks(execute=True):
        job = services.job_start(owner=u("office"), kind="ledger", params={})
    job.refresh_from_db()
    assert job.state == "failed" and "导出失败" in job.error and not job.file
    html = login("office").get(f"/stats/jobs/{job.pk}/").content.decode()
    assert "导出失败" in html
    assert login("office").get(f"/stats/jobs/{job.pk}/download/").status_code == 404


def test_cancel_before_the_worker_starts(small_threshold: int, login: Any) -> None:
    job = services.job_start(owner=u("office"), kind="ledger", params={})
    client = login("office")
    assert client.post(f"/stats/jobs/{job.pk}/cancel/").status_code == 302
    assert services.job_run(job_id=job.pk) is None  # the worker finds it cancelled
    job.refresh_from_db()
    assert job.state == "cancelled" and not job.file
    again = client.post(f"/api/stats/jobs/{job.pk}/cancel")
    assert again.status_code == 400 and again.json()["code"] == "not_now"


def test_cancel_while_running_stops_the_worker(
    small_threshold: int,
    every_row: list[int],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Any,
) -> None:
    job = services.job_start(owner=u("office"), kind="ledger", params={})
    real_rows = services.ledger_rows

    def rows_then_cancel(*args: Any, **kwargs: Any) -> Iterator[dict[str, Any]]:
        for i, row in enumerate(real_rows(*args, **kwargs)):
            if i == 2:
                services.job_cancel(job=job, actor=u("office"))
            yield row

    monkeypatch.setattr(services, "ledger_rows", rows_then_cancel)
    # Temporary files go to a directory of this test's own (another run may share /tmp).
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    done = services.job_run(job_id=job.pk)
    assert done is not None and done.state == "cancelled" and not done.file
    assert every_row[-1] < office_count()  # it stopped early
    # The half-written sheet's temporary file is gone.
    assert list(tmp_path.iterdir()) == []


def test_job_through_the_api(
    small_threshold: int, login: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = login("office")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/stats/jobs",
            {"kind": "metrics", "params": {"preset": "year", "all": "1"}},
            content_type="application/json",
        )
    assert response.status_code == 201
    job_id = response.json()["id"]
    detail = client.get(f"/api/stats/jobs/{job_id}").json()
    assert detail["state"] == "done" and detail["percent"] == 100
    assert detail["download"] == f"/api/stats/jobs/{job_id}/file"
    bad = client.post(
        "/api/stats/jobs",
        {"kind": "ledger", "params": {"date_from": "2027-13-01"}},
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "date_from"
    page = client.post("/stats/exports/ledger/", {"date_to": "3月1日"})
    assert page.status_code == 422 and "日期格式应为 YYYY-MM-DD" in page.content.decode()


def test_a_resident_has_nothing_to_export(demo: Any, login: Any) -> None:
    client = login("resident")
    assert client.get("/stats/exports/ledger/").status_code == 404
    response = client.post(
        "/api/stats/jobs", {"kind": "ledger", "params": {}}, content_type="application/json"
    )
    assert response.status_code == 404
