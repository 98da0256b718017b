"""The reporter's private link (issue 11 item 3): a caller with no account gets the
ledger number and a signed link on screen and by SMS; from the link they follow the case,
see their own photos and the unit's evidence (labelled), rate the result, send it back
once when dissatisfied, and stop the SMS. A forged, altered or other case's link opens
nothing; the office's outbox shows the link without its token."""

from __future__ import annotations

import re
from io import BytesIO
from typing import Any

import pytest
from django.core.signing import Signer
from PIL import Image

from gongzhi.cases import access
from gongzhi.cases import services as s
from gongzhi.cases.models import Case, CaseEvent, State
from gongzhi.common.errors import PermissionDenied
from gongzhi.notify.models import Message, OptOut
from gongzhi.org.models import User

pytestmark = pytest.mark.django_db
PHONE = "13966667777"


def png(color: str = "red") -> bytes:
    out = BytesIO()
    Image.new("RGB", (40, 30), color).save(out, "PNG")
    return out.getvalue()


def user(name: str) -> User:
    return User.objects.get(username=name)


def called_in(**kw: Any) -> Case:
    data: dict[str, Any] = {
        "channel": "12345",
        "estate": "JX-E001",
        "title": "楼道垃圾没清",
        "description": "3 号楼楼道垃圾没清",
        "matter_code": "JX-15-a",
        "reporter_name": "赵大妈",
        "reporter_phone": PHONE,
        "actor": user("dispatcher"),
        "uploads": [s.Upload(name="现场.png", content=png())],
    }
    data.update(kw)
    return s.case_register(**data)


def to_feedback(case: Case) -> Case:
    """The company accepts and handles it with evidence; the office feeds it back."""
    wuye, office = user("wuye"), user("office")
    case = s.case_accept(case=case, actor=wuye)
    case = s.case_handle(
        case=case,
        actor=wuye,
        result="已清理完毕",
        evidence=[s.Upload(name="办结.png", content=png("blue"))],
    )
    return s.case_feedback(case=case, actor=office)


def url(case: Case) -> str:
    return f"/cases/follow/{access.follow_token(case)}/"


def links_to(text: str, case: Case) -> bool:
    """Whether ``text`` holds a private link that opens ``case``. The signed token carries
    the second it was made in, so a link made a moment before ``url(case)`` differs."""
    tokens = re.findall(r"/cases/follow/([^/\s\"'<]+)/", text)
    return any(
        (found := access.case_for_follow_token(t)) is not None and found.pk == case.pk
        for t in tokens
    )


def test_the_link_is_in_the_received_sms_and_opens_the_case(demo: Any, client: Any) -> None:
    case = called_in()
    sms = Message.objects.get(target=f"cases.case:{case.number}", channel="sms", event="received")
    assert links_to(sms.body, case) and case.number in sms.body
    page = client.get(url(case))
    html = page.content.decode()
    assert page.status_code == 200 and case.number in html and "待签收" in html
    # The reporter's own photo, labelled; their phone masked (the link may be forwarded).
    assert "您提交的材料" in html and PHONE not in html and "139****7777" in html
    assert access.case_for_follow_token(access.follow_token(case)) == case


def test_forged_altered_and_reset_links_open_nothing(demo: Any, client: Any) -> None:
    case = called_in()
    token = access.follow_token(case)
    assert client.get(f"/cases/follow/{token[:-2]}xx/").status_code == 404
    forged = Signer(salt="other").sign_object([case.pk, case.track_key_hash[:16]])
    assert client.get(f"/cases/follow/{forged}/").status_code == 404
    other = Case.objects.exclude(pk=case.pk).filter(track_key_hash__gt="").first()
    assert other is not None and access.follow_token(other) != token
    Case.objects.filter(pk=case.pk).update(track_key_hash="0" * 64)
    assert client.get(f"/cases/follow/{token}/").status_code == 404


def test_rating_from_the_link_closes_the_case(demo: Any, client: Any) -> None:
    case = to_feedback(called_in())
    assert case.state == State.FEEDBACK
    sms = Message.objects.get(
        target=f"cases.case:{case.number}", event="feedback_ready", channel="sms"
    )
    assert links_to(sms.body, case)
    html = client.get(url(case)).content.decode()
    assert "评价办理结果" in html and "办理单位的办结凭证" in html and "已清理完毕" in html
    got = client.post(url(case) + "rate/", {"rating": "satisfied"})
    assert got.status_code == 302
    case.refresh_from_db()
    assert case.state == State.CLOSED and case.rating == "satisfied"
    rated = CaseEvent.objects.filter(case=case, action="rate").get()
    assert rated.actor is None and rated.extra.get("via") == "link"
    assert rated.extra.get("callback") is False
    # Rated once: the form is gone and a second rating is refused.
    assert "评价办理结果" not in client.get(url(case)).content.decode()
    assert client.post(url(case) + "rate/", {"rating": "basic"}).status_code == 400


def test_dissatisfied_reopens_once_then_goes_to_the_office(demo: Any, client: Any) -> None:
    case = to_feedback(called_in())
    got = client.post(url(case) + "rate/", {"rating": "dissatisfied"})
    assert got.status_code == 422 and "不满意时请说明理由" in got.content.decode()
    client.post(url(case) + "rate/", {"rating": "dissatisfied", "reason": "楼道还是脏"})
    case.refresh_from_db()
    assert case.state == State.DISPATCHED and case.reopen_count == 1
    case = to_feedback(case)
    client.post(url(case) + "rate/", {"rating": "dissatisfied", "reason": "还是没扫"})
    case.refresh_from_db()
    assert case.state == State.REVIEW and case.reopen_count == 1


def test_the_link_rates_only_its_own_case(demo: Any, client: Any) -> None:
    mine = to_feedback(called_in())
    other = to_feedback(called_in(reporter_phone="13800001234", title="另一件"))
    link = access.ReporterLink(case_id=mine.pk)
    with pytest.raises(PermissionDenied):
        s.case_rate(case=other, actor=link, rating="satisfied")
    other.refresh_from_db()
    assert other.state == State.FEEDBACK


def test_the_link_stops_the_sms(demo: Any, client: Any) -> None:
    case = called_in()
    client.post(url(case) + "stop/")
    assert OptOut.objects.filter(channel="sms", address=PHONE).exists()
    case = to_feedback(case)
    sms = Message.objects.get(
        target=f"cases.case:{case.number}", event="feedback_ready", channel="sms"
    )
    assert sms.state == "suppressed"


def test_files_through_the_link_only_the_reporters_and_the_evidence(demo: Any, client: Any) -> None:
    case = to_feedback(called_in())
    files = list(case.attachments.order_by("id"))
    for att in files:
        got = client.get(f"{url(case)}files/{att.pk}/")
        assert got.status_code == 200 and got["Content-Type"] == "image/png"
    other = Case.objects.exclude(pk=case.pk).filter(attachments__isnull=False).first()
    if other is not None:
        theirs = other.attachments.first()
        assert theirs is not None
        assert client.get(f"{url(case)}files/{theirs.pk}/").status_code == 404


def test_on_screen_after_reporting_and_masked_in_the_outbox(
    demo: Any, client: Any, login: Any
) -> None:
    got = client.post(
        "/cases/report/",
        {
            "estate": "JX-E001",
            "title": "路灯坏了",
            "description": "小区门口路灯坏了",
            "reporter_phone": "13511112222",
            "form_key": "f-1",
        },
    )
    html = got.content.decode()
    case = Case.objects.get(reporter_phone="13511112222")
    assert got.status_code == 200 and links_to(html, case)
    staff = login("dispatcher").post(
        "/cases/intake/",
        {
            "channel": "12345",
            "estate": "JX-E001",
            "description": "电梯坏了",
            "reporter_phone": "13511113333",
            "form_key": "f-2",
        },
    )
    case2 = Case.objects.get(reporter_phone="13511113333")
    assert links_to(staff.content.decode(), case2)
    sms = Message.objects.get(target=f"cases.case:{case.number}", channel="sms")
    outbox = login("office").get(f"/notify/outbox/{sms.pk}/").content.decode()
    assert "/cases/follow/…" in outbox and not links_to(outbox, case)


def test_the_sweep_reminds_an_unrated_reporter_once_with_the_link(demo: Any) -> None:
    import datetime as dt

    from django.utils import timezone

    case = to_feedback(called_in())
    later = timezone.now() + dt.timedelta(days=3, hours=1)
    first = s.case_sweep(now=later)
    assert first.reminded >= 1
    reminder = Message.objects.get(
        target=f"cases.case:{case.number}", event="rate_case", channel="sms"
    )
    assert links_to(reminder.body, case)
    assert s.case_sweep(now=later + dt.timedelta(hours=1)).reminded == 0
    assert (
        Message.objects.filter(target=f"cases.case:{case.number}", event="rate_case").count() == 1
    )
    # Rated in time: no reminder for a case that is no longer waiting.
    rated = to_feedback(called_in(reporter_phone="13800004321", title="又一件"))
    s.case_rate(case=rated, actor=access.ReporterLink(case_id=rated.pk), rating="satisfied")
    s.case_sweep(now=later)
    assert not Message.objects.filter(
        target=f"cases.case:{rated.number}", event="rate_case"
    ).exists()
