"""The ledger filter's dropdowns (小区, 责任单位, 事项), rendered once per account scope and
kept in the cache.

Profiling the ledger page (issue 12; docs/performance.md, "The ledger page's Python
time") found a good part of every view in building these lists again: a county office is
offered its county's estates and units, every account the catalogs' few hundred matters.
Which rows an account is offered is still decided by ``access.ledger_estates`` and
``Scope.visible_units``, on every view; only the rendered options are kept, keyed by the
SQL of the query that lists them, so two accounts share an entry only when they would be
offered exactly the same rows, and one account's choices never show in another's.

The entries are forgotten when any jurisdiction, estate, unit or matter type is saved or
deleted (in any process: a version number in the shared cache, bumped at once and again
when the transaction commits), at a catalog import (``catalog_version``), and after
``CHOICES_SECONDS`` in any case: rows written in bulk or by ``QuerySet.update()`` send no
signal (``choices_changed`` is there for such writers)."""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import transaction
from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_save
from django.utils.html import escape, format_html_join
from django.utils.safestring import SafeString, mark_safe

from gongzhi.cases import access
from gongzhi.catalog.models import MatterType
from gongzhi.catalog.selectors import catalog_generation, catalog_version
from gongzhi.common import versions
from gongzhi.org.models import Estate, Jurisdiction, Unit
from gongzhi.org.permissions import Scope

VERSION_KEY = "gongzhi:ledger:choices:version"
CHOICES_SECONDS = 600
WATCHED = (Jurisdiction, Estate, Unit, MatterType)


def _version() -> int:
    return versions.read(VERSION_KEY)


def _bump() -> None:
    versions.bump(VERSION_KEY)


def choices_changed(**kwargs: Any) -> None:
    """Forget every account's dropdowns: at once (this transaction's own later reads) and
    when the transaction commits (a view that read the rows before the commit may have
    kept them meanwhile)."""
    _bump()
    if transaction.get_connection().in_atomic_block:  # else the write has committed
        transaction.on_commit(_bump)


def connect() -> None:
    """Called by the cases app's ``ready``, so every process that writes the rows (the web
    workers, the admin, import commands) forgets the choices."""
    for model in WATCHED:
        name = model._meta.label_lower
        post_save.connect(choices_changed, sender=model, dispatch_uid=f"ledger-choices-{name}")
        post_delete.connect(choices_changed, sender=model, dispatch_uid=f"ledger-choices-d-{name}")


def _key(name: str, qs: QuerySet[Any], version: str) -> str:
    try:
        sql, params = qs.query.sql_with_params()
    except EmptyResultSet:  # nothing to offer (e.g. an account with no estates)
        sql, params = "", ()
    digest = hashlib.sha256(repr((sql, params)).encode()).hexdigest()[:32]
    return f"gongzhi:ledger:choices:{name}:{version}:{digest}"


def _options(rows: Any) -> str:
    return str(format_html_join("", '<option value="{}">{}</option>', rows))


def _selected(options: str, value: str) -> SafeString:
    """The cached options with ``value`` selected (every option of that value: a matter
    code may carry a different name in each catalog)."""
    if value:
        tag = f'<option value="{escape(value)}">'
        options = options.replace(tag, f"{tag[:-1]} selected>")
    # Rendered by format_html_join above, which escaped every value.
    return mark_safe(options)


def ledger_choices(
    user: Any, scope: Scope, *, estate: str, unit: str, matter: str
) -> dict[str, SafeString]:
    """The options of the three dropdowns as HTML, the filter's values selected."""
    lists: dict[str, tuple[QuerySet[Any], bool]] = {
        "estates": (
            access.ledger_estates(user).order_by("code").values_list("code", "name"),
            False,
        ),
        "units": (scope.visible_units().order_by("name").values_list("code", "name"), False),
        # Every matter of the catalogs (a few hundred rows), not "the matters that have
        # cases": that asked the case table for a join and DISTINCT on every view.
        "matters": (
            MatterType.objects.order_by("code").values_list("code", "name").distinct(),
            True,
        ),
    }
    version = f"{_version()}.{catalog_version()}.{catalog_generation()}"
    keys = {name: _key(name, qs, version) for name, (qs, _coded) in lists.items()}
    found = cache.get_many(list(keys.values()))
    missing = {}
    for name, (qs, coded) in lists.items():
        if keys[name] not in found:
            rows = [(c, f"{c} {n}") for c, n in qs] if coded else list(qs)
            missing[keys[name]] = found[keys[name]] = _options(rows)
    if missing:
        cache.set_many(missing, CHOICES_SECONDS)
    chosen = {"estates": estate, "units": unit, "matters": matter}
    return {name: _selected(found[keys[name]], chosen[name]) for name in lists}
