"""Two phones submit a sheet with the same one-time code at the same moment, on real
connections in two threads: exactly one sheet is kept, the other gets the conflict."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from gongzhi.appraisal import services as s
from gongzhi.appraisal.models import Campaign, ReviewSheet
from gongzhi.common.errors import Conflict, DomainError

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_submissions_with_one_code_keep_one_sheet(transactional_demo: Any) -> None:
    campaign = Campaign.objects.get(street__name="蒲圻街道", year=2026)
    code = s.review_codes_issue(campaign=campaign, counts={"owner": 1}, actor=None)[0][1]
    points = {(x.pk, i.pk): i.weight for x in campaign.subjects.all() for i in campaign.items.all()}
    before = ReviewSheet.objects.filter(campaign=campaign).count()
    barrier = threading.Barrier(2)
    outcomes: list[Any] = []
    lock = threading.Lock()

    def submit() -> None:
        try:
            barrier.wait(timeout=10)
            s.review_sheet_submit(code=code, points=points)
            result: Any = "ok"
        except (Conflict, DomainError) as exc:
            result = exc
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert outcomes.count("ok") == 1, outcomes
    [loser] = [o for o in outcomes if o != "ok"]
    assert isinstance(loser, Conflict) and "只能提交一份" in loser.message
    assert ReviewSheet.objects.filter(campaign=campaign).count() == before + 1
