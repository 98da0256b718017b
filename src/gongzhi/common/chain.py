"""Tamper evidence for append-only event tables: each row stores the hash of the row
before it in its chain (a case's events; an audited object's events) and its own hash
over its content. Changing, removing or reordering a row breaks every link after it, and
``gongzhi audit verify`` reports the first broken one.

The digest is over a canonical JSON array (version tag, previous hash, the row's fields
in a fixed order), so it does not depend on the database or the driver."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from typing import Any

VERSION = "v1"


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")
    return value


def digest(prev_hash: str, fields: Sequence[Any]) -> str:
    payload = json.dumps(
        [VERSION, prev_hash, *(_plain(f) for f in fields)],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()
