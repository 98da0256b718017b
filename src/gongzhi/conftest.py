"""Shared fixtures. The demo county (gongzhi/demo.py) is built once per test session in
the test database; each ordinary test runs in a transaction that is rolled back, and
gets fresh Python objects for the demo rows through the ``demo`` fixture.

Transactional tests (``django_db(transaction=True)``, run last by pytest-django) flush
the database afterwards, so they use ``transactional_demo``, which rebuilds it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from gongzhi.demo import DEMO_PASSWORD, DemoContext, build_demo
from gongzhi.org.models import Estate, Jurisdiction, Unit, User

DEMO_NOW = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)


@dataclass
class _DemoKeys:
    now: dt.datetime
    jurisdictions: dict[str, int]
    estates: dict[str, int]
    units: dict[str, int]
    users: dict[str, int]
    accounts: list[Any]


_keys: _DemoKeys | None = None


def _remember(ctx: DemoContext) -> None:
    global _keys
    _keys = _DemoKeys(
        now=ctx.now,
        jurisdictions={k: v.pk for k, v in ctx.jurisdictions.items()},
        estates={k: v.pk for k, v in ctx.estates.items()},
        units={k: v.pk for k, v in ctx.units.items()},
        users={k: v.pk for k, v in ctx.users.items()},
        accounts=list(ctx.accounts),
    )


def _restore() -> DemoContext:
    assert _keys is not None, "demo data was not built"
    jur = Jurisdiction.objects.in_bulk(list(_keys.jurisdictions.values()))
    est = Estate.objects.select_related("community", "property_company", "owners_committee")
    estates = est.in_bulk(list(_keys.estates.values()))
    units = Unit.objects.select_related("kind", "jurisdiction").in_bulk(list(_keys.units.values()))
    users = User.objects.in_bulk(list(_keys.users.values()))
    ctx = DemoContext(now=_keys.now)
    ctx.jurisdictions = {k: jur[v] for k, v in _keys.jurisdictions.items()}
    ctx.county = ctx.jurisdictions["嘉祥县"]
    ctx.estates = {k: estates[v] for k, v in _keys.estates.items()}
    ctx.units = {k: units[v] for k, v in _keys.units.items()}
    ctx.users = {k: users[v] for k, v in _keys.users.items()}
    ctx.accounts = list(_keys.accounts)
    return ctx


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> None:
    with django_db_blocker.unblock():
        if not Jurisdiction.objects.exists():
            # tests/conftest.py re-exports this fixture, so it runs a second time for
            # the browser tests, possibly after a transactional test flushed the
            # database (and the unit kinds of the data migration with it).
            from gongzhi.org.services import unit_kinds_load

            unit_kinds_load()
            _remember(build_demo(now=DEMO_NOW))


@pytest.fixture(autouse=True)
def _source_language() -> Iterator[None]:
    """A request in English leaves English active in the test's thread (LocaleMiddleware
    activates, nothing deactivates); each test starts in the source language."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def demo(db: None) -> DemoContext:
    return _restore()


@pytest.fixture
def transactional_demo(transactional_db: None) -> Iterator[DemoContext]:
    from gongzhi.org.services import unit_kinds_load

    if not Jurisdiction.objects.exists():
        unit_kinds_load()
        _remember(build_demo(now=DEMO_NOW))
    yield _restore()


@pytest.fixture
def login(client: Client) -> Any:
    """``login("office")`` logs the test client in as a demo account and returns it."""

    def _login(username: str) -> Client:
        client.force_login(User.objects.get(username=username))
        return client

    return _login


@pytest.fixture
def password() -> str:
    return DEMO_PASSWORD


_DB_FIXTURES = ("db", "transactional_db", "django_db_reset_sequences", "live_server")


@pytest.fixture(autouse=True)
def _fresh_working_calendar(request: pytest.FixtureRequest, monkeypatch: Any) -> Iterator[None]:
    """The working calendar keeps the office's holiday rows in memory for a minute
    (gongzhi.common.workcal). Each test starts from the database as it is — a rolled-back
    test's rows are gone — and a test without database access sees the package's
    calendar alone."""
    from gongzhi.catalog.selectors import catalog_memo_clear
    from gongzhi.common import workcal

    workcal.calendar_changed()
    # Effective catalogs and routing answers are memoised per process too; a rolled-back
    # test's catalog import must not outlive it.
    catalog_memo_clear()
    uses_db = request.node.get_closest_marker("django_db") or any(
        name in request.fixturenames for name in _DB_FIXTURES
    )
    if not uses_db:
        monkeypatch.setattr(workcal, "_load_local_days", dict)
    yield
    workcal.calendar_changed()
