"""Reading and checking an import's rows ahead, in a thread, while the import's
connection writes the rows checked before (docs/performance.md, "Ledger import").

The rows come out in the file's order with exactly what ``parse_row`` says of each, so an
import reads them as it would read them itself; only the time moves: the file's parsing
and the row checks (pure Python, no database) run while the main thread waits for
PostgreSQL to take a COPY, which releases the GIL. Two processes would not do better on
this kind of machine: the database server takes the other core."""

from __future__ import annotations

import datetime as dt
import queue
import threading
from collections.abc import Iterable, Iterator
from typing import Any

from django.utils import translation

from gongzhi.stats.imports.rows import Lookup, Parsed, RowError, parse_row

CHUNK = 500  # rows handed over at a time
DEPTH = 8  # chunks read ahead at most (memory stays flat)
Checked = tuple[int, Parsed | None, list[RowError]]


class CheckedRows:
    """``(row number, parsed or None, errors)`` for every row of ``rows``, checked in a
    thread. Iterate once; ``close()`` stops the thread (always call it, e.g. after a
    cancel or an error while writing)."""

    def __init__(
        self,
        rows: Iterable[tuple[int, tuple[Any, ...]]],
        sheet: Any,
        lookup: Lookup,
        now: dt.datetime,
    ) -> None:
        self.rows = rows
        self.sheet = sheet
        self.lookup = lookup
        self.now = now
        self.queue: queue.Queue[Any] = queue.Queue(maxsize=DEPTH)
        self.stopped = threading.Event()
        # The messages are written in the caller's language (a thread starts with none).
        self.language = translation.get_language()
        self.thread = threading.Thread(target=self._work, name="import-check", daemon=True)
        self.thread.start()

    def _put(self, item: Any) -> bool:
        while not self.stopped.is_set():
            try:
                self.queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _work(self) -> None:
        with translation.override(self.language):
            try:
                chunk: list[Checked] = []
                for number, cells in self.rows:
                    parsed, errors = parse_row(number, cells, self.sheet, self.lookup, self.now)
                    chunk.append((number, parsed, errors))
                    if len(chunk) >= CHUNK:
                        if not self._put(chunk):
                            return
                        chunk = []
                if chunk and not self._put(chunk):
                    return
                self._put(None)
            except BaseException as exc:  # handed to the reader: raised where it iterates
                self._put(exc)

    def __iter__(self) -> Iterator[Checked]:
        while True:
            item = self.queue.get()
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            yield from item

    def close(self) -> None:
        self.stopped.set()
        self.thread.join()
