"""The per-process memo of who a unit's messages go to and whether anyone subscribes to
case events (notify.selectors): used only with a cache shared between processes; a robot
or subscription added in another process is used once that process has moved the shared
version; one added in this process at once; one added in a transaction that rolls back
never. Without a shared cache every registration reads the rows, as before."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from gongzhi.cases import services as cs
from gongzhi.cases.models import Case
from gongzhi.common.apiauth import api_token_create
from gongzhi.common.models import ApiToken
from gongzhi.notify import selectors
from gongzhi.notify.models import ChannelKind, Message, UnitWebhook
from gongzhi.org.models import User
from gongzhi.webhooks.models import Delivery
from gongzhi.webhooks.services import webhook_subscribe

_n = [0]


def register(**kw: Any) -> Case:
    _n[0] += 1
    data: dict[str, Any] = {
        "channel": "12345",
        "estate": "JX-E001",
        "title": f"楼道垃圾没清 {_n[0]}",
        "description": "3 号楼楼道垃圾没清",
        "matter_code": "JX-15-a",
        "reporter_name": "王小明",
        "reporter_phone": "13955554444",
    }
    data.update(kw)
    if "actor" not in data:
        data["actor"] = User.objects.get(username="dispatcher")
    return cs.case_register(**data)


def robots_told(case: Case) -> set[str]:
    return set(
        Message.objects.filter(
            target=f"cases.case:{case.number}", webhook__isnull=False
        ).values_list("webhook__name", flat=True)
    )


def robot(unit_id: int, name: str) -> UnitWebhook:
    return UnitWebhook(
        unit_id=unit_id, kind=ChannelKind.WECOM, name=name, url="https://robot.example.invalid/x"
    )


def selects(ctx: CaptureQueriesContext, table: str) -> int:
    """SELECTs reading from ``table`` (not merely joining it)."""
    return sum(1 for q in ctx.captured_queries if f'FROM "{table}"' in q["sql"])


@pytest.mark.django_db(transaction=True)
def test_with_a_shared_cache_robots_are_remembered_until_any_process_changes_them(
    transactional_demo: Any, monkeypatch: Any, settings: Any
) -> None:
    settings.GONGZHI_NOTIFY_QUIET_HOURS = ""
    monkeypatch.setattr(selectors, "shared_cache", lambda: True)
    first = register()
    unit = first.lead_unit_id
    assert unit is not None
    before = robots_told(first)
    assert before  # the demo's property company has a group robot
    register()  # the first was registered before the demo's transaction was known to end

    # Remembered: the next registration reads neither robots, staff nor subscriptions.
    dispatcher = User.objects.get(username="dispatcher")
    with CaptureQueriesContext(connection) as ctx:
        second = register(actor=dispatcher)
    assert robots_told(second) == before
    assert selects(ctx, "notify_unitwebhook") == 0
    assert selects(ctx, "org_user") == 0
    assert selects(ctx, "webhooks_subscription") == 0

    # Another process adds a robot: its row is there (bulk_create: no signal reaches this
    # process), but this process hears of it only through the shared version.
    UnitWebhook.objects.bulk_create([robot(unit, "另一进程新增的机器人")])
    assert robots_told(register()) == before
    selectors._bump()  # what audience_changed does in the other process
    assert robots_told(register()) == before | {"另一进程新增的机器人"}

    # This process adds one: used at once.
    robot(unit, "本进程新增的机器人").save()
    assert "本进程新增的机器人" in robots_told(register())

    # A robot added in a transaction that rolls back is never remembered.
    with pytest.raises(RuntimeError), transaction.atomic():
        robot(unit, "回滚的机器人").save()
        assert "回滚的机器人" in robots_told(register())
        raise RuntimeError
    told = robots_told(register())
    assert "回滚的机器人" not in told
    assert "本进程新增的机器人" in told

    # A deactivated robot (another process's .update) stops being told after the bump.
    UnitWebhook.objects.filter(name="另一进程新增的机器人").update(is_active=False)
    selectors._bump()
    assert "另一进程新增的机器人" not in robots_told(register())


@pytest.mark.django_db(transaction=True)
def test_with_a_shared_cache_a_new_subscription_gets_the_next_events(
    transactional_demo: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(selectors, "shared_cache", lambda: True)
    register()
    assert not Delivery.objects.exists()
    dispatcher = User.objects.get(username="dispatcher")
    api_token_create(user=dispatcher, name="集成")
    token = ApiToken.objects.get(user=dispatcher, name="集成")
    webhook_subscribe(
        token=token,
        name="工单系统",
        url="https://hook.example.invalid/",
        events=["case.registered"],
    )
    case = register()
    assert Delivery.objects.filter(event__case=case).count() == 1
    # Revoking the token (an .update, no signal) stops the deliveries.
    from gongzhi.common.apiauth import api_token_revoke

    api_token_revoke(token=token)
    later = register()
    assert not Delivery.objects.filter(event__case=later).exists()


def test_without_a_shared_cache_every_registration_reads_the_robots(
    demo: Any, settings: Any
) -> None:
    settings.GONGZHI_NOTIFY_QUIET_HOURS = ""
    assert not selectors.shared_cache()  # the tests' cache is this process's own
    first = register()
    assert first.lead_unit_id is not None
    UnitWebhook.objects.bulk_create([robot(first.lead_unit_id, "无信号新增的机器人")])
    assert "无信号新增的机器人" in robots_told(register())
