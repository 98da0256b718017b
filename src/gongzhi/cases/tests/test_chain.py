"""Tamper evidence (issue 8 defect 9): every case event and audit event is chained;
``gongzhi audit verify`` reports the first broken link; PostgreSQL refuses to change or
delete an event at all."""

from __future__ import annotations

import itertools
import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from gongzhi.cases import services as s
from gongzhi.cases.models import Case, CaseEvent
from gongzhi.common.models import AuditEvent
from gongzhi.org.models import User

pytestmark = pytest.mark.django_db


def u(name: str) -> User:
    return User.objects.get(username=name)


def handled_case() -> Case:
    case = s.case_register(
        channel="12345",
        estate="JX-E001",
        title="楼道灯坏",
        description="3号楼楼道灯坏",
        matter_code="JX-15-c",
        actor=u("dispatcher"),
    )
    s.case_accept(case=case, actor=u("wuye"))
    s.case_handle(case=Case.objects.get(pk=case.pk), actor=u("wuye"), result="已修好")
    return Case.objects.get(pk=case.pk)


def verify(*args: str) -> str:
    out = StringIO()
    call_command("audit", "verify", *args, stdout=out)
    return out.getvalue()


def test_every_event_is_chained_and_the_chain_verifies(demo: Any) -> None:
    case = handled_case()
    events = list(case.events.order_by("id"))
    assert events[0].prev_hash == "" and all(e.hash for e in events)
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(events))
    assert "案件事件链完整" in verify() and "审计事件链完整" in verify()
    assert "案件事件链完整" in verify("--case", case.number)


@pytest.mark.skipif(connection.vendor == "postgresql", reason="PostgreSQL refuses the edit")
def test_an_edited_or_removed_event_is_reported(demo: Any) -> None:
    case = handled_case()
    accept = case.events.get(action="accept")
    CaseEvent.objects.filter(pk=accept.pk).update(reason="改过的理由")
    with pytest.raises(CommandError, match=f"案件 {case.number}.*被修改"):
        verify()
    CaseEvent.objects.filter(pk=accept.pk).delete()
    with pytest.raises(CommandError, match="被删除"):
        verify("--case", case.number)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL trigger")
def test_postgresql_refuses_to_change_or_delete_events(demo: Any) -> None:
    case = handled_case()
    event = case.events.first()
    audit = AuditEvent.objects.first()
    assert event is not None and audit is not None
    for attempt in (
        lambda: CaseEvent.objects.filter(pk=event.pk).update(reason="x"),
        lambda: CaseEvent.objects.filter(pk=event.pk).delete(),
        lambda: AuditEvent.objects.filter(pk=audit.pk).update(reason="x"),
    ):
        with pytest.raises(DatabaseError, match="只能追加"), transaction.atomic():
            attempt()


def test_a_cases_chain_exports_with_its_hashes(demo: Any, tmp_path: Any) -> None:
    case = handled_case()
    target = tmp_path / "chain.json"
    call_command("audit", "export", "--case", case.number, "-o", str(target), stdout=StringIO())
    body = json.loads(target.read_text(encoding="utf-8"))
    assert body["intact"] is True and body["case"] == case.number
    assert [e["hash"] for e in body["events"]] == list(
        case.events.order_by("id").values_list("hash", flat=True)
    )
