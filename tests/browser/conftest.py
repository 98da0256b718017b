"""Headless Chromium through Playwright, against pages served by pytest-django's live
server. Uses Debian's /usr/bin/chromium (never a downloaded browser). Without chromium the
tests are skipped, except where GONGZHI_REQUIRE_BROWSER=1 (CI), where that is a failure."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("GONGZHI_CHROMIUM") or shutil.which("chromium") or ""
# Under the run's var directory, so that two passes running side by side (.ci/run) each
# keep their own pictures.
SCREENSHOTS = (
    Path(os.environ.get("GONGZHI_VAR") or Path(__file__).resolve().parents[2] / "var")
    / "screenshots"
)
ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    if not CHROMIUM:
        if os.environ.get("GONGZHI_REQUIRE_BROWSER") == "1":
            pytest.fail(
                "GONGZHI_REQUIRE_BROWSER=1 but chromium is not installed (apt-get install chromium)"
            )
        pytest.skip(
            "chromium is not installed: apt-get install chromium (Debian) to run browser tests"
        )
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def phone(chromium: Any) -> Iterator[Any]:
    """A page on a 390 px wide touch screen (an ordinary phone held upright)."""
    context = chromium.new_context(
        locale="zh-CN",
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def shot() -> Any:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def _shot(page: Any, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return _shot
