"""The estate's public notices through the services, the pages, the board and the API."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from gongzhi.common.errors import Conflict, DomainError, InvalidInput, PermissionDenied
from gongzhi.common.models import AuditEvent
from gongzhi.parties import selectors
from gongzhi.parties import services as s
from gongzhi.parties.models import Notice, Party
from gongzhi.parties.notice_kinds import Kind

pytestmark = pytest.mark.django_db

ROWS = [["报修响应", "30 分钟内响应"]]


def _commitment(demo: Any, user: str = "wuye", estate: str = "JX-E001", **kw: Any) -> Notice:
    args: dict[str, Any] = {
        "actor": demo.users[user],
        "estate": demo.estates[estate],
        "kind": Kind.COMMITMENT,
        "party": Party.PROPERTY_COMPANY,
        "title": "承诺",
        "rows": ROWS,
        "valid_until": dt.date(2099, 12, 31),
    }
    args.update(kw)
    return s.notice_publish(**args)


# ---------------------------------------------------------------- services


def test_company_publishes_for_its_estate_with_an_audit_event(demo: Any) -> None:
    n = _commitment(demo)
    assert n.unit == demo.units["pc:鸿泰"]
    assert n.rows == [{"item": "报修响应", "standard": "30 分钟内响应"}]
    event = AuditEvent.objects.get(target_type="parties.notice", target_id=str(n.pk))
    assert event.action == "parties.notice.publish"
    assert event.actor == demo.users["wuye"]


@pytest.mark.parametrize(
    ("user", "estate", "party"),
    [
        ("wuye", "JX-E002", Party.PROPERTY_COMPANY),  # 安居's estate, not 鸿泰's
        ("wuye", "JX-E001", Party.OWNERS_COMMITTEE),  # not the company's party
        ("yeweihui", "JX-E001", Party.PROPERTY_COMPANY),
        ("resident", "JX-E001", Party.PROPERTY_COMPANY),
        ("auditor", "JX-E001", Party.OFFICE),
        ("cb-office", "JX-E001", Party.OFFICE),  # the other county
        ("cb-wy", "JX-E001", Party.PROPERTY_COMPANY),
    ],
)
def test_who_may_not_publish(demo: Any, user: str, estate: str, party: str) -> None:
    with pytest.raises(PermissionDenied):
        _commitment(demo, user=user, estate=estate, party=party)
    assert not Notice.objects.filter(estate=demo.estates[estate], title="承诺").exists()


@pytest.mark.parametrize(
    ("user", "party"),
    [
        ("yeweihui", Party.OWNERS_COMMITTEE),
        ("juweihui", Party.RESIDENTS_COMMITTEE),
        ("jiedao", Party.PROPERTY_COMPANY),  # the street, in any party's name
        ("jiedao", Party.STREET),
        ("office", Party.OWNERS_COMMITTEE),
        ("office", Party.OFFICE),
    ],
)
def test_who_may_publish(demo: Any, user: str, party: str) -> None:
    assert _commitment(demo, user=user, party=party).party == party


def test_every_bad_field_at_once_by_row_and_column(demo: Any) -> None:
    with pytest.raises(InvalidInput) as exc:
        s.notice_publish(
            actor=demo.users["office"],
            estate=demo.estates["JX-E001"],
            kind=Kind.PEOPLE,
            party=Party.OFFICE,
            title="负责人",
            rows=[["鸿泰物业", "孔德明", "经理", "13905371234"], ["居委会", "", "委员", "0537-1"]],
            long_term=False,
        )
    found = {(e.field, e.row, e.column, e.message) for e in exc.value.errors}
    assert ("rows", 1, "办公电话", "公示只能留办公电话，不能公开个人手机号") in found
    assert ("rows", 2, "姓名", "不能为空") in found
    assert ("valid_until", None, None, "非长期公示须填写截止日期") in found
    assert not Notice.objects.filter(title="负责人").exists()


def test_replace_keeps_history_and_refuses_a_stale_version(demo: Any) -> None:
    old = _commitment(demo)
    new = s.notice_replace(
        actor=demo.users["wuye"],
        notice=old,
        expected_version=1,
        title="承诺（更新）",
        rows=ROWS,
        valid_until=dt.date(2099, 12, 31),
    )
    old.refresh_from_db()
    assert old.state == Notice.State.REPLACED and new.replaces == old
    assert [n.pk for n in selectors.history(old)] == [new.pk, old.pk]
    with pytest.raises(Conflict):
        s.notice_replace(
            actor=demo.users["wuye"],
            notice=old,
            expected_version=1,
            title="x",
            rows=ROWS,
            valid_until=dt.date(2099, 12, 31),
        )
    with pytest.raises(DomainError):
        s.notice_withdraw(actor=demo.users["wuye"], notice=old, expected_version=2, reason="x")


def test_one_current_long_term_item_per_party(demo: Any) -> None:
    with pytest.raises(DomainError, match="请更新该条公示"):
        s.notice_publish(
            actor=demo.users["wuye"],
            estate=demo.estates["JX-E001"],
            kind=Kind.FEE,
            party=Party.PROPERTY_COMPANY,
            title="又一条收费",
            rows=[["一级", "1 元", "文件"]],
        )


def test_an_expired_item_leaves_the_board(demo: Any) -> None:
    n = _commitment(demo, valid_from=dt.date(2020, 1, 1), valid_until=dt.date(2020, 12, 31))
    estate = demo.estates["JX-E001"]
    assert n not in selectors.board_notices(estate)
    assert n in selectors.board_notices(estate, on=dt.date(2020, 6, 1))
    assert selectors.status(n) == "已过期"


def test_withdraw_takes_it_off_the_board(demo: Any) -> None:
    n = _commitment(demo)
    s.notice_withdraw(actor=demo.users["jiedao"], notice=n, expected_version=1, reason="内容有误")
    assert n not in selectors.board_notices(demo.estates["JX-E001"])
    assert AuditEvent.objects.filter(
        target_id=str(n.pk), action="parties.notice.withdraw", reason="内容有误"
    ).exists()


# ---------------------------------------------------------------- pages


def test_board_page_shows_current_notices_only(client: Any, demo: Any) -> None:
    body = client.get("/estates/JX-E001/").content.decode()
    assert "三方公示" in body
    assert "住宅 0.75 元/㎡·月" in body  # the fee as updated
    assert "住宅 0.80 元/㎡·月" not in body  # the old version is history
    assert "120 元/月" in body  # approved base price of parking
    assert "历史版本" in body
    old = Notice.objects.get(estate__code="JX-E001", kind=Kind.FEE, state=Notice.State.REPLACED)
    history = client.get(f"/parties/notices/{old.pk}/").content.decode()
    assert "住宅 0.80 元/㎡·月" in history and "住宅 0.75 元/㎡·月" in history


def test_staff_page_publishes_and_shows_errors_in_chinese(login: Any, demo: Any) -> None:
    c = login("wuye")
    page = c.get("/parties/estates/JX-E001/notices/")
    assert page.status_code == 200 and "发布公示" in page.content.decode()
    bad = c.post(
        "/parties/estates/JX-E001/notices/publish/",
        {"kind": "commitment", "party": "property_company", "title": "承诺", "rows": "只有一列"},
    )
    assert bad.status_code == 422
    text = bad.content.decode()
    assert "不能为空" in text and "非长期公示须填写截止日期" in text
    ok = c.post(
        "/parties/estates/JX-E001/notices/publish/",
        {
            "kind": "commitment",
            "party": "property_company",
            "title": "冬季承诺",
            "rows": "供暖报修 | 2 小时内到场\n积雪清扫 | 雪停后 4 小时内",
            "valid_until": "2099-03-31",
        },
    )
    assert ok.status_code == 302
    n = Notice.objects.get(title="冬季承诺")
    assert n.rows[1] == {"item": "积雪清扫", "standard": "雪停后 4 小时内"}
    assert (
        c.post(
            f"/parties/notices/{n.pk}/withdraw/", {"expected_version": 1, "reason": "重复"}
        ).status_code
        == 302
    )
    n.refresh_from_db()
    assert n.state == Notice.State.WITHDRAWN


def test_staff_page_is_not_for_others(login: Any, demo: Any) -> None:
    assert login("wuye").get("/parties/estates/JX-E002/notices/").status_code == 404
    c = login("cb-office")
    assert c.get("/parties/estates/JX-E001/notices/").status_code == 404
    n = Notice.objects.filter(estate__code="JX-E001", state="current").first()
    assert n is not None
    r = c.post(f"/parties/notices/{n.pk}/withdraw/", {"expected_version": n.version, "reason": "x"})
    assert r.status_code == 404
    assert "曾子花园" not in c.get("/parties/").content.decode()
    assert "曾子花园" in login("wuye").get("/parties/").content.decode()


def test_poster_pdf_a4_and_a3(client: Any, demo: Any) -> None:
    a4 = client.get("/estates/JX-E001/poster.pdf")
    a3 = client.get("/estates/JX-E001/poster.pdf?size=A3")
    assert a4["Content-Type"] == "application/pdf" and a4.content.startswith(b"%PDF")
    assert b"/MediaBox [ 0 0 595.2756 841.8898 ]" in a4.content
    assert b"/MediaBox [ 0 0 841.8898 1190.551 ]" in a3.content


# ---------------------------------------------------------------- API


def test_board_api_is_public_and_current(client: Any, demo: Any) -> None:
    r = client.get("/api/board/estates/JX-E001")
    assert r.status_code == 200
    data = r.json()
    kinds = {n["kind"] for n in data["notices"]}
    assert {"people", "commitment", "fee", "charges", "common_income"} <= kinds
    fee = next(n for n in data["notices"] if n["kind"] == "fee")
    assert fee["rows"][0]["standard"] == "住宅 0.75 元/㎡·月"
    assert all(not c["phone"].startswith("13") for c in data["contacts"])
    assert client.get("/api/board/estates/NOPE").status_code == 404


def test_api_publish_replace_withdraw(login: Any, demo: Any) -> None:
    c = login("wuye")
    body = {
        "kind": "commitment",
        "party": "property_company",
        "title": "API 承诺",
        "rows": [["绿化", "每月修剪"]],
        "valid_until": "2099-01-01",
    }
    r = c.post(
        "/api/parties/estates/JX-E001/notices", json.dumps(body), content_type="application/json"
    )
    assert r.status_code == 201, r.content
    n = r.json()
    assert n["allowed"] == ["replace", "withdraw"]
    r = c.post(
        f"/api/parties/notices/{n['id']}/replace",
        json.dumps(
            {
                "expected_version": 1,
                "title": "API 承诺 2",
                "rows": [["绿化", "每两周修剪"]],
                "valid_until": "2099-01-01",
            }
        ),
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["replaces"] == n["id"]
    detail = c.get(f"/api/parties/notices/{n['id']}").json()
    assert [h["title"] for h in detail["history"]] == ["API 承诺 2", "API 承诺"]
    stale = c.post(
        f"/api/parties/notices/{n['id']}/withdraw",
        json.dumps({"expected_version": 1, "reason": "x"}),
        content_type="application/json",
    )
    assert stale.status_code == 409
    bad = c.post(
        "/api/parties/estates/JX-E001/notices",
        json.dumps({**body, "rows": [["绿化"]], "valid_until": None}),
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"rows", "valid_until"}


def test_api_refuses_others(client: Any, login: Any, demo: Any) -> None:
    body = json.dumps(
        {
            "kind": "commitment",
            "party": "office",
            "title": "x",
            "rows": [["a", "b"]],
            "valid_until": "2099-01-01",
        }
    )
    assert (
        client.post(
            "/api/parties/estates/JX-E001/notices", body, content_type="application/json"
        ).status_code
        == 401
    )
    c = login("cb-office")
    r = c.post("/api/parties/estates/JX-E001/notices", body, content_type="application/json")
    assert r.status_code == 403 and "无权" in r.json()["message"]
    n = Notice.objects.filter(estate__code="JX-E001", state="current").first()
    assert n is not None
    assert c.get(f"/api/parties/notices/{n.pk}").json()["allowed"] == []
    r = c.post(
        f"/api/parties/notices/{n.pk}/withdraw",
        json.dumps({"expected_version": n.version, "reason": "x"}),
        content_type="application/json",
    )
    assert r.status_code == 403
    n.refresh_from_db()
    assert n.state == Notice.State.CURRENT
