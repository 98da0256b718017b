"""API tokens: created by the command, shown once, stored hashed, revoked from the admin."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from gongzhi.common.apiauth import api_token_revoke
from gongzhi.common.models import ApiToken, AuditEvent

pytestmark = pytest.mark.django_db


def test_token_command_and_revocation(demo) -> None:
    out = StringIO()
    call_command("token", "dispatcher", "--name", "12345 对接", stdout=out)
    key = out.getvalue().strip()
    assert key.startswith("gz_")
    token = ApiToken.objects.get(name="12345 对接")
    assert key not in token.key_hash
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.get("/api/cases/inbox").status_code == 200
    api_token_revoke(token=token)
    assert client.get("/api/cases/inbox").status_code == 401
    assert AuditEvent.objects.filter(action="api_token.revoke").exists()


def test_token_command_unknown_user(demo) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="不存在"):
        call_command("token", "nobody")
