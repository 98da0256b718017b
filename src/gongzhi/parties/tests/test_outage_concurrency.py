"""Two people close the same outage at the same moment, on real connections in two
threads: exactly one closing updates the linked cases and queues the reporters'
messages; the other gets the conflict and changes nothing."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from gongzhi.cases.models import CaseEvent
from gongzhi.common.errors import Conflict, DomainError
from gongzhi.notify.models import EventType, Message
from gongzhi.parties import services as s
from gongzhi.parties.models import Outage

pytestmark = pytest.mark.django_db(transaction=True)


def test_closing_twice_at_once_updates_the_cases_once(transactional_demo: Any) -> None:
    outage = Outage.objects.get(title="曾子花园 10kV 线路故障停电")
    cases = list(outage.links.values_list("case_id", flat=True))
    users = [transactional_demo.users["gongdian"], transactional_demo.users["office"]]
    barrier = threading.Barrier(2)
    outcomes: list[Any] = []
    lock = threading.Lock()

    def close(user: Any) -> None:
        try:
            barrier.wait(timeout=10)
            found = Outage.objects.get(pk=outage.pk)
            s.outage_close(actor=user, outage=found, expected_version=1, note="已恢复供电")
            result: Any = "ok"
        except (Conflict, DomainError) as exc:
            result = exc
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=close, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert outcomes.count("ok") == 1, outcomes
    assert all(isinstance(o, Conflict) for o in outcomes if o != "ok")
    restored = CaseEvent.objects.filter(
        case_id__in=cases, action__in=("incident_handle", "incident_restored")
    )
    assert restored.count() == len(cases) == 3
    assert Message.objects.filter(event=EventType.INCIDENT_RESTORED, channel="sms").count() == 3
