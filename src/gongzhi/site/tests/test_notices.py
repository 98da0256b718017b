"""One count of unread notices, from cases and joint conferences together (issue 7 defect
10: two unread counters on one home page), and a 联席会议 link only for those who may
read a conference (not residents)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from gongzhi.cases import services as s
from gongzhi.cases.models import Notification
from gongzhi.meetings.models import InboxMessage
from gongzhi.org.models import User

pytestmark = pytest.mark.django_db


def as_user(name: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=name))
    return client


def header_count(html: str) -> int:
    found = re.search(
        r'class="notices-link"[^>]*>[^<]*(?:<span class="badge info">(\d+)</span>)?', html
    )
    assert found is not None
    return int(found.group(1) or 0)


def test_one_unread_count_for_cases_and_conferences(demo: Any) -> None:
    housing = demo.units["housing_bureau"]
    s.case_register(
        channel="12345",
        estate="JX-E001",
        title="承重墙",
        description="拆承重墙",
        matter_code="JX-03-01",
        actor=User.objects.get(username="dispatcher"),
    )
    cases = Notification.objects.filter(unit=housing, read_at__isnull=True).count()
    meetings = InboxMessage.objects.filter(unit=housing, read_at__isnull=True).count()
    assert cases and meetings
    client = as_user("zjj")
    home = client.get("/").content.decode()
    assert header_count(home) == cases + meetings
    assert home.count("未读通知") == 0  # no second counter in the boxes
    page = client.get("/notices/").content.decode()
    assert "承重墙" in page
    client.post("/notices/read/")
    assert header_count(client.get("/").content.decode()) == 0
    assert not Notification.objects.filter(unit=housing, read_at__isnull=True).exists()
    assert not InboxMessage.objects.filter(unit=housing, read_at__isnull=True).exists()


def test_residents_see_no_conference_link(demo: Any) -> None:
    assert "/meetings/" not in as_user("resident").get("/").content.decode()
    assert 'href="/meetings/"' in as_user("office").get("/").content.decode()
