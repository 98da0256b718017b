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


def test_token_memo_stays_bounded_under_many_invalid_tokens(
    demo, monkeypatch: pytest.MonkeyPatch, django_assert_num_queries
) -> None:
    from gongzhi.common import apiauth

    now = [1000.0]
    monkeypatch.setattr(apiauth, "_clock", lambda: now[0])
    apiauth.api_token_forget()
    key = apiauth.api_token_create(user=demo.users["dispatcher"], name="12345")
    good = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert good.get("/api/cases/inbox").status_code == 200
    for n in range(3000):  # an attacker trying made-up tokens
        user = apiauth._token_row(apiauth._hash(f"gz_made-up-{n}"))
        assert user is None
    assert apiauth.memo_sizes() == (1, apiauth.MISS_SIZE)
    # The integration's entry survived the flood: no query for its token.
    with django_assert_num_queries(0):
        assert apiauth._token_row(apiauth._hash(key)) is not None
    # An unknown token is asked again after MISS_SECONDS; expired entries leave.
    bad = apiauth._hash("gz_made-up-2999")
    with django_assert_num_queries(0):
        assert apiauth._token_row(bad) is None
    now[0] += apiauth.MISS_SECONDS + 0.1
    with django_assert_num_queries(1):
        assert apiauth._token_row(bad) is None
    assert apiauth.memo_sizes() == (1, 1)
    # A valid token is asked again after MEMO_SECONDS (a revocation elsewhere shows).
    now[0] += apiauth.MEMO_SECONDS
    with django_assert_num_queries(1):
        assert apiauth._token_row(apiauth._hash(key)) is not None
    apiauth.api_token_forget()


def test_token_memo_is_bounded_for_valid_tokens_too(demo, monkeypatch: pytest.MonkeyPatch) -> None:
    from gongzhi.common import apiauth

    monkeypatch.setattr(apiauth, "MEMO_SIZE", 3)
    apiauth.api_token_forget()
    keys = [apiauth.api_token_create(user=demo.users["dispatcher"], name=f"t{n}") for n in range(5)]
    for key in keys:
        assert apiauth._token_row(apiauth._hash(key)) is not None
    assert apiauth.memo_sizes() == (3, 0)
    apiauth.api_token_forget()
