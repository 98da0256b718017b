"""Property-based fuzzing of the whole JSON API from its own OpenAPI description
(schemathesis). Every operation gets a handful of generated requests — valid and
invalid bodies, odd path ids, huge integers, strange unicode — as the county office's
staff, as a resident and without credentials. Whatever arrives, the API must answer
with a status it declares and never with a server error (500): bad input is a 4xx
with a Chinese message, not a crash.

The examples per operation are few (GONGZHI_FUZZ_EXAMPLES, default 10, for the office's
two doors; a third of that for the resident and nobody) so the suite stays fast; raise it
to search harder: ``GONGZHI_FUZZ_EXAMPLES=200 uv run pytest tests/api``.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import status_code_conformance

from gongzhi.cases.models import Case
from gongzhi.common.apiauth import api_token_create, api_token_forget
from gongzhi.config.api import api
from gongzhi.config.wsgi import application
from gongzhi.org.models import User

EXAMPLES = int(os.environ.get("GONGZHI_FUZZ_EXAMPLES", "10"))

schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
schema.app = application

# Who calls: the office (may do most) with a token and with a browser's session (cookie
# and CSRF token, as the pages' own scripts call), a resident with a token (may do
# little), and nobody (must be refused, never crash).


NUMBERS: list[str] = []


def _session(username: str) -> Caller:
    browser = Client()
    browser.force_login(User.objects.get(username=username))
    session = browser.cookies[django_settings.SESSION_COOKIE_NAME].value
    csrf = _get_new_csrf_string()
    cookies = {django_settings.SESSION_COOKIE_NAME: session, django_settings.CSRF_COOKIE_NAME: csrf}
    return Caller(headers={"X-CSRFToken": csrf}, cookies=cookies)


@dataclass
class Caller:
    headers: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)


@pytest.fixture
def callers(demo: Any) -> Iterator[dict[str, Caller]]:
    # As Django's test client does: a request's start and end must not close the test's
    # connection (the whole test is one transaction, rolled back afterwards).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    api_token_forget()
    if not NUMBERS:
        NUMBERS.extend(Case.objects.order_by("pk").values_list("number", flat=True))
    made = {"nobody": Caller(), "office-session": _session("office")}
    for name in ("office", "resident"):
        key = api_token_create(user=User.objects.get(username=name), name="fuzz")
        made[f"{name}-token"] = Caller(headers={"Authorization": f"Bearer {key}"})
    yield made
    api_token_forget()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _call(case: schemathesis.Case, who: Caller) -> None:
    # Random case numbers never exist; half the examples aim at a real case instead, so
    # the actions' bodies and states are fuzzed too, not only the 404.
    params = case.path_parameters or {}
    pick = zlib.crc32(repr(case.body).encode())
    if "number" in params and pick % 2:
        params["number"] = NUMBERS[pick // 2 % len(NUMBERS)]
    case.call_and_validate(
        headers=who.headers,
        cookies=who.cookies,
        checks=[not_a_server_error, status_code_conformance],
    )


FUZZ = {
    "deadline": None,
    "database": None,
    "derandomize": True,
    "phases": [Phase.explicit, Phase.generate],
    "suppress_health_check": list(HealthCheck),
}


@pytest.mark.parametrize("caller", ["office-token", "office-session"])
@schema.parametrize()
@settings(max_examples=EXAMPLES, **FUZZ)
def test_the_api_never_fails_on_any_input(
    case: schemathesis.Case, caller: str, callers: dict[str, Caller]
) -> None:
    _call(case, callers[caller])


# A resident (who may do little) and nobody (who may do nothing): most of their requests
# are refused before the input is read, so a third of the examples each, which keeps the
# suite's longest module within the CI's time.
@pytest.mark.parametrize("caller", ["resident-token", "nobody"])
@schema.parametrize()
@settings(max_examples=max(1, EXAMPLES // 3), **FUZZ)
def test_the_api_never_fails_for_refused_callers(
    case: schemathesis.Case, caller: str, callers: dict[str, Caller]
) -> None:
    _call(case, callers[caller])
