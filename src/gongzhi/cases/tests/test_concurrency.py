"""Two people act on one case at the same moment, on real connections in two threads:
exactly one succeeds, the other gets the conflict message, and one event is written."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from gongzhi.cases import services as s
from gongzhi.cases.models import Case, CaseEvent, State
from gongzhi.common.errors import Conflict, DomainError
from gongzhi.org.models import User

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_accepts_one_wins(transactional_demo) -> None:
    case = s.case_register(
        channel="12345",
        estate="JX-E001",
        title="并发测试",
        description="两人同时签收",
        matter_code="JX-15-a",
    )
    barrier = threading.Barrier(2)
    outcomes: list[Any] = []
    lock = threading.Lock()

    def act(username: str) -> None:
        try:
            user = User.objects.get(username=username)
            mine = Case.objects.select_related("lead_unit", "level").get(pk=case.pk)
            barrier.wait(timeout=10)
            s.case_accept(case=mine, actor=user)
            result: Any = "ok"
        except (Conflict, DomainError) as exc:
            result = exc
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=act, args=("wuye",)) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert outcomes.count("ok") == 1, outcomes
    [loser] = [o for o in outcomes if o != "ok"]
    assert isinstance(loser, Conflict)
    assert "刷新" in loser.message
    assert Case.objects.get(pk=case.pk).state == State.ACCEPTED
    assert CaseEvent.objects.filter(case_id=case.pk, action="accept").count() == 1
