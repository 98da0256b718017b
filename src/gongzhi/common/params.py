"""Bounded types for API parameters, so that no input reaches the database outside what
its columns hold (an id of 2⁶³ is an overflow on SQLite, a 500 instead of a 404)."""

from __future__ import annotations

from typing import Annotated

from ninja import Path, Query

from gongzhi.common.errors import DB_INT_MAX

# A primary key in a path, e.g. ``/meetings/{pk}``.
PathId = Annotated[int, Path(ge=1, le=DB_INT_MAX)]
# Paging: an offset and a page size.
Offset = Annotated[int, Query(ge=0, le=10_000_000)]
Limit = Annotated[int, Query(ge=1, le=1000)]
# A calendar year that a ledger or summary can hold.
Year = Annotated[int, Query(ge=2000, le=2100)]
