"""Accounts with history are deactivated through the admin, never deleted: their events
keep their actor, their tokens stop, and every step is audited."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import Client

from gongzhi.cases.models import CaseEvent
from gongzhi.common.apiauth import api_token_create, api_token_forget
from gongzhi.common.audit import audit_record
from gongzhi.common.models import ApiToken, AuditEvent
from gongzhi.org import services
from gongzhi.org.models import User

CHANGELIST = "/admin/org/user/"


@pytest.fixture
def admin_client(demo: Any, login: Any) -> Client:
    return login("admin")


def fresh_user(username: str = "mistake") -> User:
    return User.objects.create_user(username=username, password="x" * 12)


@pytest.mark.django_db
def test_history_is_found_in_every_relation(demo: Any) -> None:
    assert {"角色授权", "案件事件"} <= set(services.user_history(demo.users["zjj"]))
    spare = fresh_user()
    assert services.user_history(spare) == []
    api_token_create(user=spare, name="x")  # a credential, not history
    assert services.user_history(spare) == []
    audit_record(actor=spare, action="test.act", target=demo.county)
    assert services.user_history(spare) == ["审计事件"]


@pytest.mark.django_db
def test_deleting_a_user_with_history_is_refused(admin_client: Client, demo: Any) -> None:
    zjj = demo.users["zjj"]
    page = admin_client.get(f"{CHANGELIST}{zjj.pk}/delete/", follow=True)
    html = page.content.decode()
    assert page.redirect_chain[-1][0] == f"{CHANGELIST}{zjj.pk}/change/"
    assert "已有历史记录" in html and "不能删除" in html and "停用所选账号" in html
    admin_client.post(f"{CHANGELIST}{zjj.pk}/delete/", {"post": "yes"})
    assert User.objects.filter(pk=zjj.pk).exists()
    assert CaseEvent.objects.filter(actor=zjj).exists()


@pytest.mark.django_db
def test_bulk_delete_is_refused_when_any_has_history(admin_client: Client, demo: Any) -> None:
    spare = fresh_user()
    response = admin_client.post(
        CHANGELIST,
        {"action": "delete_selected", ACTION_CHECKBOX_NAME: [spare.pk, demo.users["zjj"].pk]},
        follow=True,
    )
    html = response.content.decode()
    assert "没有删除任何账号" in html and str(demo.users["zjj"]) in html
    assert User.objects.filter(pk=spare.pk).exists()
    # Confirming directly (skipping the page) is refused the same way.
    admin_client.post(
        CHANGELIST,
        {"action": "delete_selected", "post": "yes", ACTION_CHECKBOX_NAME: [demo.users["zjj"].pk]},
    )
    assert User.objects.filter(pk=demo.users["zjj"].pk).exists()


@pytest.mark.django_db
def test_a_user_without_history_is_deleted_with_an_audit_event(
    admin_client: Client, demo: Any
) -> None:
    spare = fresh_user()
    response = admin_client.post(f"{CHANGELIST}{spare.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=spare.pk).exists()
    event = AuditEvent.objects.get(action="user.delete", target_id=str(spare.pk))
    assert event.actor == demo.users["admin"] and event.extra["username"] == "mistake"
    # And in bulk.
    spares = [fresh_user("a1"), fresh_user("a2")]
    admin_client.post(
        CHANGELIST,
        {"action": "delete_selected", "post": "yes", ACTION_CHECKBOX_NAME: [u.pk for u in spares]},
    )
    assert not User.objects.filter(username__in=["a1", "a2"]).exists()
    assert AuditEvent.objects.filter(action="user.delete").count() == 3


@pytest.mark.django_db
def test_deactivate_action_stops_login_and_tokens_and_keeps_history(
    admin_client: Client, demo: Any, password: str
) -> None:
    zjj = demo.users["zjj"]
    key = api_token_create(user=zjj, name="对接")
    own = Client()
    own.force_login(zjj)
    assert own.get("/api/org/me").status_code == 200
    bearer = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert bearer.get("/api/cases/inbox").status_code == 200
    events_before = CaseEvent.objects.filter(actor=zjj).count()

    # The action asks for a reason first.
    ask = admin_client.post(CHANGELIST, {"action": "deactivate", ACTION_CHECKBOX_NAME: [zjj.pk]})
    assert ask.status_code == 200 and "停用后账号不能登录" in ask.content.decode()
    empty = admin_client.post(
        CHANGELIST,
        {"action": "deactivate", "apply": "1", "reason": " ", ACTION_CHECKBOX_NAME: [zjj.pk]},
    )
    assert "请填写停用原因" in empty.content.decode()
    assert User.objects.get(pk=zjj.pk).is_active

    done = admin_client.post(
        CHANGELIST,
        {
            "action": "deactivate",
            "apply": "1",
            "reason": "调离岗位",
            ACTION_CHECKBOX_NAME: [zjj.pk],
        },
        follow=True,
    )
    assert "已处理 1 个账号" in done.content.decode()
    zjj.refresh_from_db()
    assert not zjj.is_active
    assert not ApiToken.objects.filter(user=zjj, revoked_at__isnull=True).exists()
    event = AuditEvent.objects.get(action="user.deactivate", target_id=str(zjj.pk))
    assert (event.actor, event.reason, event.extra) == (
        demo.users["admin"],
        "调离岗位",
        {"tokens_revoked": 1},
    )
    # History keeps the actor; the session and the token stop working.
    assert CaseEvent.objects.filter(actor=zjj).count() == events_before
    api_token_forget()
    assert bearer.get("/api/cases/inbox").status_code == 401
    assert own.get("/api/org/me").status_code == 401
    assert (
        Client().post("/accounts/login/", {"username": "zjj", "password": password}).status_code
        == 200
    )  # the form again: inactive accounts cannot log in


@pytest.mark.django_db
def test_is_active_is_changed_only_through_the_audited_actions(
    admin_client: Client, demo: Any
) -> None:
    zjj = demo.users["zjj"]
    page = admin_client.get(f"{CHANGELIST}{zjj.pk}/change/").content.decode()
    assert 'name="is_active"' not in page
    services.user_deactivate(user=zjj, actor=demo.users["admin"], reason="休假")
    admin_client.post(
        CHANGELIST,
        {"action": "reactivate", "apply": "1", "reason": "返岗", ACTION_CHECKBOX_NAME: [zjj.pk]},
    )
    zjj.refresh_from_db()
    assert zjj.is_active
    assert AuditEvent.objects.filter(action="user.reactivate", reason="返岗").count() == 1


@pytest.mark.django_db
def test_an_admin_cannot_deactivate_themself(demo: Any) -> None:
    from gongzhi.common.errors import DomainError

    with pytest.raises(DomainError):
        services.user_deactivate(user=demo.users["admin"], actor=demo.users["admin"], reason="x")
