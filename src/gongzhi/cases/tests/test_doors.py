"""The doors agree (issue 7): for every demo account of both counties and a case in every
state (and every step of the six-step procedure, every kind of task, appeal and report
form), the case page offers exactly the actions the API lists as allowed, both answer 404
to a reader the access module refuses, and every offered action succeeds through the API
and through the page form (each attempt rolled back before the next)."""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from PIL import Image

from gongzhi.cases import access
from gongzhi.cases import services as s
from gongzhi.cases.actions import registry
from gongzhi.cases.models import Case, CaseTask, State
from gongzhi.org.models import User

pytestmark = pytest.mark.django_db


def u(name: str) -> User:
    return User.objects.get(username=name)


def fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def register(**kw: Any) -> Case:
    args: dict[str, Any] = {
        "channel": "12345",
        "estate": "JX-E001",
        "title": "楼道垃圾无人清理",
        "description": "3号楼楼道垃圾堆积",
        "matter_code": "JX-15-a",
        "reporter_name": "王秀英",
        "reporter_phone": "13905371234",
        "actor": u("dispatcher"),
    }
    args.update(kw)
    return s.case_register(**args)


def build_cases(demo: Any) -> dict[str, Case]:
    """One case in each state and situation a door can meet."""
    wuye, office, zfj, jiedao = u("wuye"), u("office"), u("zfj"), u("jiedao")
    cases: dict[str, Case] = {}
    cases["registered"] = register(matter_code="", channel="web", actor=u("resident"))
    cases["dispatched"] = register()
    c = register()
    s.case_accept(case=c, actor=wuye)
    cases["accepted"] = c
    c = register()
    s.case_accept(case=c, actor=wuye)
    s.case_start(case=fresh(c), actor=wuye)
    cases["in_progress"] = c
    c = register()
    s.case_accept(case=c, actor=wuye)
    s.case_suspend(case=fresh(c), actor=wuye, reason="等待业主大会表决")
    cases["suspended"] = c
    c = register()
    s.case_return(case=c, actor=wuye, reason="不属物业", claimed_matter_code="JX-04-a")
    cases["returned"] = c
    c = register()
    s.case_escalate(case=c, actor=wuye, reason="需街道协调")
    cases["escalated"] = c
    c = register()
    s.case_accept(case=c, actor=wuye)
    s.case_handle(case=fresh(c), actor=wuye, result="已清理")
    cases["handled"] = c
    c = register(channel="web", actor=u("resident"))
    s.case_accept(case=c, actor=wuye)
    s.case_handle(case=fresh(c), actor=wuye, result="已清理")
    s.case_feedback(case=fresh(c), actor=office)
    cases["feedback"] = c
    c = register(channel="web", actor=u("resident"))
    for _ in range(2):
        s.case_accept(case=fresh(c), actor=wuye)
        s.case_handle(case=fresh(c), actor=wuye, result="已清理")
        s.case_feedback(case=fresh(c), actor=office)
        s.case_rate(case=fresh(c), actor=u("resident"), rating="dissatisfied", reason="没扫干净")
    cases["review"] = c
    c = register()
    s.case_accept(case=c, actor=wuye)
    s.case_handle(case=fresh(c), actor=wuye, result="已清理")
    s.case_feedback(case=fresh(c), actor=office)
    s.case_rate(case=fresh(c), actor=office, rating="basic")
    cases["closed_rated"] = c
    c = register()
    s.case_accept(case=c, actor=wuye)
    s.case_handle(case=fresh(c), actor=wuye, result="已清理")
    s.case_feedback(case=fresh(c), actor=office)
    s.case_rate(case=fresh(c), actor=office, rating="dissatisfied", reason="没扫")
    s.case_accept(case=fresh(c), actor=wuye)
    s.case_handle(case=fresh(c), actor=wuye, result="再次清理")
    s.case_feedback(case=fresh(c), actor=office)
    s.case_rate(case=fresh(c), actor=office, rating="basic")
    s.case_appeal(case=fresh(c), actor=wuye, reason="已两次清理")
    cases["appealed"] = c
    cases["merged"] = register()
    s.case_merge(case=cases["merged"], into=cases["registered"].number, actor=office)
    c = register(matter_code="JX-04-a")
    s.case_transfer(case=c, actor=zfj, to_unit=demo.units["housing_bureau"], reason="属住建")
    cases["transferred"] = c
    c = register(matter_code="JX-04-a")
    s.case_accept(case=c, actor=zfj)
    s.case_joint_request(
        case=fresh(c), actor=zfj, units=[demo.units["housing_bureau"]], instructions="鉴定"
    )
    cases["joint"] = c
    c = register(estate="JX-E003", matter_code="JX-14-b")
    s.case_whistle(
        case=c, actor=jiedao, units=[demo.units["housing_bureau"]], instructions="到场会商"
    )
    cases["whistled"] = c
    street = demo.units["street:嘉祥街道"]
    for step in ("discover", "photo", "stop", "report"):
        c = register(
            channel="patrol",
            estate="JX-E003",
            matter_code="",
            reporting_unit=street,
            is_enforcement=True,
            actor=jiedao,
        )
        if step != "discover":
            s.case_enforcement_photo(case=fresh(c), actor=jiedao, photos=[_photo()])
        if step in ("stop", "report"):
            s.case_enforcement_stop(case=fresh(c), actor=jiedao, measures="责令停止")
        if step == "report":
            s.case_enforcement_report(
                case=fresh(c),
                actor=jiedao,
                receiving_unit=demo.units["urban_enforcement"],
                contact="陈晨",
                contact_phone="13805371001",
                details="私建彩钢棚",
                opinion="请依法查处",
                head="李国斌",
            )
        cases[f"step_{step}"] = c
    cb = Case.objects.filter(estate__code__startswith="CB-").order_by("id")
    for n, case in enumerate(cb):
        cases[f"chibi_{n}"] = case
    cases = {k: fresh(c) for k, c in cases.items()}
    assert {c.state for c in cases.values()} == set(State.values)
    return cases


def _photo() -> s.Upload:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 10)).save(buf, format="JPEG")
    return s.Upload(name="现场.jpg", content=buf.getvalue())


def _file() -> io.BytesIO:
    f = io.BytesIO(_photo().content)
    f.name = "scene.jpg"
    return f


def example_input(name: str, case: Case, demo: Any, user: User) -> dict[str, Any]:
    """A valid input for ``name`` on ``case``, as a user would fill the form."""
    unit = lambda key: demo.units[key].code  # noqa: E731
    busy = set(
        CaseTask.objects.filter(case=case, state__in=("pending", "checked_in")).values_list(
            "unit_id", flat=True
        )
    )
    other = next(
        u.code
        for u in access.serving_units(case.estate).filter(kind__group="government")
        if u.pk != case.lead_unit_id and u.pk not in busy
    )
    reason: dict[str, Any] = {"reason": "按规定办理"}
    examples: dict[str, dict[str, Any]] = {
        "dispatch": {"matter_code": "JX-15-a"}
        if not case.estate.code.startswith("CB-")
        else {"unit": other},
        "return": {**reason, "claimed_matter_code": "JX-04-a"},
        "transfer": {**reason, "to_unit": other},
        "handle": {"result": "已处理完毕"},
        "rate": {"rating": "satisfied"},
        "merge": {**reason, "into": _merge_target(case, user)},
        "joint": {"units": [other], "instructions": "请协助"},
        "whistle": {"units": [other], "instructions": "请到场"},
        "task_done": {"result": "已完成"},
        "stop": {"measures": "责令停止"},
        "report": {
            "receiving_unit": unit("urban_enforcement"),
            "contact": "陈晨",
            "contact_phone": "13805371001",
            "details": "私建彩钢棚",
            "opinion": "请依法查处",
            "head": "李国斌",
        },
        "opinion": {"opinion": "同意", "head": "张三"},
        "publish": {"summary": "楼道保洁问题，物业已处理"},
        "appeal_decide": {**reason, "upheld": True},
    }
    return examples.get(name, reason)


def _merge_target(case: Case, user: User) -> str:
    """Another open case the user may act on as the office."""
    for other in Case.objects.filter(
        state__in=(State.REGISTERED, State.DISPATCHED, State.ACCEPTED)
    ).exclude(pk=case.pk):
        if "office" in access.sides(user, other):
            return other.number
    return ""


def client_user(client: Client) -> User:
    return User.objects.get(pk=client.session["_auth_user_id"])


def page_offers(html: str) -> list[str]:
    return re.findall(r'class="action-form form-(\w+)"', html)


def accounts() -> list[str]:
    return list(User.objects.order_by("username").values_list("username", flat=True))


def test_page_and_api_offer_the_same_actions_and_each_succeeds_through_both(demo: Any) -> None:
    cases = build_cases(demo)
    seen: set[tuple[str, str]] = set()
    for username in accounts():
        user = u(username)
        client = Client()
        client.force_login(user)
        for label, case in cases.items():
            number = case.number
            api = client.get(f"/api/cases/{number}")
            page = client.get(f"/cases/{number}/")
            readable = access.can_read(user, fresh(case))
            where = (username, label)
            if not readable:
                assert api.status_code == 404 and page.status_code == 404, where
                continue
            assert api.status_code == 200 and page.status_code == 200, where
            allowed, first = api.json()["allowed"], api.json()["next_step"]
            rest = [name for name in allowed if name != first]
            assert page_offers(page.content.decode()) == ([first] if first else []) + rest, where
            for name in allowed:
                seen.add((name, label))
                _succeeds_through_the_api(client, case, name, demo, where)
                _succeeds_through_the_page(client, case, name, demo, where)
    # Every action of the registry was offered to someone somewhere.
    assert {name for name, _ in seen} == set(registry.names())


def _succeeds_through_the_api(
    client: Client, case: Case, name: str, demo: Any, where: tuple[str, str]
) -> None:
    action = registry.get(name)
    assert action is not None
    data = example_input(name, fresh(case), demo, client_user(client))
    url = f"/api/cases/{case.number}/{action.path}"
    with transaction.atomic():
        if action.files and action.api_files:
            body = {k: v for k, v in data.items() if k != "reason"} | {"reason": "按规定"}
            response = client.post(url, {**body, action.files[0]: _file()})
        else:
            response = client.post(url, json.dumps(data), content_type="application/json")
        assert response.status_code == 200, (*where, name, "api", response.content[:300])
        transaction.set_rollback(True)


def _succeeds_through_the_page(
    client: Client, case: Case, name: str, demo: Any, where: tuple[str, str]
) -> None:
    action = registry.get(name)
    assert action is not None
    data = example_input(name, fresh(case), demo, client_user(client))
    if "upheld" in data:
        data["upheld"] = "true"
    with transaction.atomic():
        form = {**data, "expected_version": fresh(case).version}
        if action.files:
            form[action.files[0]] = _file()
        response = client.post(f"/cases/{case.number}/act/{name}/", form)
        assert response.status_code == 302, (*where, name, "page", response.content[:300])
        transaction.set_rollback(True)


def test_nobody_in_one_county_reads_the_other_countys_cases(demo: Any) -> None:
    cases = build_cases(demo)
    for username in accounts():
        user = u(username)
        if user.is_superuser:
            continue
        home = "CB-" if username.startswith("cb-") else "JX-"
        for label, case in cases.items():
            if not case.estate.code.startswith(home):
                assert not access.can_read(user, case), (username, label)


def test_unit_staff_read_every_case_of_the_area_their_unit_serves(demo: Any) -> None:
    # Issue 7 defect 1: the street office read the cases of its own estates.
    cases = build_cases(demo)
    jiedao = Client()
    jiedao.force_login(u("jiedao"))
    for label in ("dispatched", "escalated", "closed_rated"):
        number = cases[label].number
        assert jiedao.get(f"/cases/{number}/").status_code == 200, label
    # A residents' committee reads its community's cases; masked, as it handles none.
    juweihui = Client()
    juweihui.force_login(u("juweihui"))
    html = juweihui.get(f"/cases/{cases['dispatched'].number}/").content.decode()
    assert "13905371234" not in html and "139****1234" in html
    # A property company reads the cases of the estates it manages, not the others'.
    assert CaseTask.objects.exists()
    wuye = u("wuye")
    other_estate = register(estate="JX-E002", matter_code="JX-04-a")
    assert not access.can_read(wuye, other_estate)
