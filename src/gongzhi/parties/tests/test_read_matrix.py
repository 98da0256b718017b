"""Every demo account of both counties: the circulars' and reports' API lists and pages
show exactly what parties/access.py allows, and nothing of the other county."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from gongzhi.org.models import User
from gongzhi.parties import access
from gongzhi.parties.models import Circular, Report

pytestmark = pytest.mark.django_db


def test_lists_agree_with_the_access_rule(demo: Any) -> None:
    circulars = set(Circular.objects.values_list("pk", flat=True))
    reports = set(Report.objects.values_list("pk", flat=True))
    assert circulars and reports
    seen_any = False
    for user in User.objects.order_by("username"):
        client = Client()
        client.force_login(user)
        may_c = set(access.readable_circulars(user).values_list("pk", flat=True))
        may_r = set(access.readable_reports(user).values_list("pk", flat=True))
        got_c = {c["id"] for c in client.get("/api/parties/circulars").json()}
        got_r = {r["id"] for r in client.get("/api/parties/reports").json()}
        assert got_c == may_c, user.username
        assert got_r == may_r, user.username
        for pk in circulars:
            status = client.get(f"/api/parties/circulars/{pk}").status_code
            assert status == (200 if pk in may_c else 404), (user.username, pk)
        for pk in reports:
            status = client.get(f"/parties/reports/{pk}/").status_code
            assert status == (200 if pk in may_r else 404), (user.username, pk)
        if user.username.startswith("cb-"):
            # The demo's circulars and reports are all 嘉祥's.
            assert not may_c and not may_r, user.username
        seen_any = seen_any or bool(may_c)
    assert seen_any
