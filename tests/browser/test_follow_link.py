"""A caller with no account rates their case from the link in the SMS: the dispatcher
logged the call, the company handled it with a photo, the office fed it back; the
reporter opens the link from the outbox's SMS, sees their own photo and the company's
evidence, labelled, and rates it — the case closes."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from django.conf import settings
from PIL import Image

from gongzhi.cases import services as s
from gongzhi.cases.models import Case, State
from gongzhi.notify.models import Message
from gongzhi.org.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def png(color: str) -> bytes:
    out = BytesIO()
    Image.new("RGB", (40, 30), color).save(out, "PNG")
    return out.getvalue()


def test_reporter_rates_from_the_sms_link(transactional_demo, live_server, page, shot) -> None:
    dispatcher, wuye, office = (
        User.objects.get(username=n) for n in ("dispatcher", "wuye", "office")
    )
    case = s.case_register(
        channel="12345",
        estate="JX-E001",
        title="楼道垃圾没清",
        description="3 号楼 2 单元楼道垃圾没清",
        matter_code="JX-15-a",
        reporter_name="赵大妈",
        reporter_phone="13966667777",
        actor=dispatcher,
        uploads=[s.Upload(name="现场.png", content=png("red"))],
    )
    case = s.case_accept(case=case, actor=wuye)
    case = s.case_handle(
        case=case,
        actor=wuye,
        result="已清理完毕",
        evidence=[s.Upload(name="办结.png", content=png("blue"))],
    )
    case = s.case_feedback(case=case, actor=office)
    sms = Message.objects.get(
        target=f"cases.case:{case.number}", event="feedback_ready", channel="sms"
    )
    found = re.search(r"https?://\S+", sms.body)
    assert found is not None and found.group(0).startswith(settings.GONGZHI_PUBLIC_URL)
    link = live_server.url + found.group(0)[len(settings.GONGZHI_PUBLIC_URL) :]

    page.goto(link)
    assert page.inner_text(".case-number") == case.number
    assert "待评价" in page.inner_text(".follow-state")
    captions = page.locator(".follow-file figcaption").all_inner_texts()
    assert captions == ["您提交的材料", "办理单位的办结凭证"]
    # The photos load through the link (no account).
    assert page.locator(".follow-file img").first.evaluate("img => img.naturalWidth") > 0
    shot(page, "cases-follow-link")
    page.check("input[name=rating][value=satisfied]")
    page.click(".follow-rate button[type=submit]")
    page.wait_for_selector(".follow-rating")
    assert page.inner_text(".follow-rating") == "满意"
    assert "已结案" in page.inner_text(".follow-state")
    assert page.locator(".follow-rate").count() == 0
    case.refresh_from_db()
    assert case.state == State.CLOSED and case.rating == "satisfied"
    assert Case.objects.get(pk=case.pk).events.filter(action="rate", extra__via="link").exists()
