"""Two phones submit the survey with the same number and code at the same moment, on real
connections in two threads: exactly one vote is kept, the other gets the conflict."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.db import connection

from gongzhi.appraisal import services as s
from gongzhi.appraisal.models import SatisfactionPeriod, SurveyVote
from gongzhi.common.errors import DomainError
from gongzhi.notify.models import Message
from gongzhi.org.models import Unit

pytestmark = pytest.mark.django_db(transaction=True)
NOW = dt.datetime(2026, 11, 10, 2, 0, tzinfo=dt.UTC)


def test_two_votes_at_once_keep_one(transactional_demo: Any) -> None:
    period = SatisfactionPeriod.objects.filter(jurisdiction__code="370829000000").order_by(
        "starts_on"
    )[1]
    phone = "13811112222"
    s.survey_code_send(period=period, phone=phone, now=NOW)
    code = Message.objects.filter(event="verify_code").latest("id").params["code"]
    ratings = {Unit.objects.get(code="jx-wy-hongtai").pk: "satisfied"}
    before = SurveyVote.objects.filter(period=period).count()
    barrier = threading.Barrier(2)
    outcomes: list[Any] = []
    lock = threading.Lock()

    def vote() -> None:
        try:
            barrier.wait(timeout=10)
            s.survey_vote(period=period, phone=phone, code=code, ratings=ratings, now=NOW)
            result: Any = "ok"
        except DomainError as exc:
            result = exc
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=vote) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert outcomes.count("ok") == 1, outcomes
    [loser] = [o for o in outcomes if o != "ok"]
    # The loser either saw the code used (409) or, reading after the commit, no live code.
    assert loser.status in (409, 422), loser
    assert SurveyVote.objects.filter(period=period).count() == before + 1
