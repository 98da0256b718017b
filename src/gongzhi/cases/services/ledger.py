"""Ledger numbers (台账编号): which county's ledger a case goes in, and the next number of
a ledger and year, unique and gapless under concurrent intake."""

from __future__ import annotations

from functools import lru_cache

from django.db import IntegrityError, connection, transaction

from gongzhi.cases.models import Case, LedgerCounter
from gongzhi.org.models import Jurisdiction


@lru_cache(maxsize=4096)
def ledger_jurisdiction(community_path: str) -> tuple[int, str]:
    """The county (or district, or the top of the tree) whose ledger an estate's cases go
    in: the deepest ancestor at tier 3 or above, as (pk, code)."""
    codes = [c for c in community_path.split("/") if c]
    nodes = {j.code: j for j in Jurisdiction.objects.filter(code__in=codes)}
    chosen = nodes[codes[0]]
    for code in codes:
        node = nodes[code]
        if node.tier <= 3:
            chosen = node
    return chosen.pk, chosen.code


def next_number(jurisdiction: Jurisdiction, year: int, *, case_id: int | None = None) -> str:
    """The next ledger number of a jurisdiction and year. The counter row stays locked
    until the caller's transaction ends, so numbers are unique and gapless; one
    ``UPDATE … RETURNING`` takes the lock and reads the number in one round trip. With
    ``case_id`` (PostgreSQL) the same statement also writes the number into that case."""
    table = LedgerCounter._meta.db_table
    prefix = f"{jurisdiction.code[:6]}-{year}-"
    if case_id is not None:
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH n AS (UPDATE {table} SET last = last + 1"
                " WHERE jurisdiction_id = %s AND year = %s RETURNING last)"
                f" UPDATE {Case._meta.db_table} SET number = %s || CASE WHEN n.last < 1000000"
                " THEN lpad(n.last::text, 6, '0') ELSE n.last::text END"
                f" FROM n WHERE {Case._meta.db_table}.id = %s"
                f" RETURNING {Case._meta.db_table}.number",
                [jurisdiction.pk, year, prefix, case_id],
            )
            row = cursor.fetchone()
        if row is not None:
            return str(row[0])
        number = next_number(jurisdiction, year)  # the year's first case: make the row
        Case.objects.filter(pk=case_id).update(number=number)
        return number
    sql = (
        f"UPDATE {table} SET last = last + 1 WHERE jurisdiction_id = %s AND year = %s "
        "RETURNING last"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [jurisdiction.pk, year])
        row = cursor.fetchone()
    if row is None:
        try:
            with transaction.atomic():
                LedgerCounter.objects.create(jurisdiction=jurisdiction, year=year, last=1)
            last = 1
        except IntegrityError:
            with connection.cursor() as cursor:
                cursor.execute(sql, [jurisdiction.pk, year])
                last = cursor.fetchone()[0]
    else:
        last = row[0]
    return f"{prefix}{last:06d}"
