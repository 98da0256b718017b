"""Two people save the same estate's survey at the same moment, from the same version, on
real connections in two threads: exactly one change is kept, the other gets the conflict
and nothing of it is written."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from gongzhi.campaigns import services as s
from gongzhi.campaigns.demo import TITLE
from gongzhi.campaigns.models import Campaign, Survey
from gongzhi.common.errors import Conflict
from gongzhi.org.models import User

pytestmark = pytest.mark.django_db(transaction=True)

VALUES = {"fee_basis": "未明确", "fee_public": "否", "accounts_public": "否"}
VALUES |= {"checked_on": "2026-11-01"}


def test_two_editors_of_one_survey_keep_one_change(transactional_demo: Any) -> None:
    campaign = Campaign.objects.get(title=TITLE)
    survey = Survey.objects.get(campaign=campaign, estate__code="JX-E001")
    read = survey.version
    barrier = threading.Barrier(2)
    outcomes: dict[str, Any] = {}
    lock = threading.Lock()

    def save(username: str, klass: str) -> None:
        try:
            barrier.wait(timeout=10)
            s.survey_submit(
                actor=User.objects.get(username=username),
                campaign=campaign,
                estate=survey.estate,
                classification=klass,
                values=VALUES,
                expected_version=read,
            )
            result: Any = "ok"
        except Conflict as exc:
            result = exc
        finally:
            connection.close()
        with lock:
            outcomes[klass] = result

    threads = [
        threading.Thread(target=save, args=("jiedao", "整改中")),
        threading.Thread(target=save, args=("juweihui", "已整改")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    winners = [k for k, v in outcomes.items() if v == "ok"]
    assert len(winners) == 1 and len(outcomes) == 2, outcomes
    survey.refresh_from_db()
    assert (survey.classification, survey.version) == (winners[0], read + 1)
