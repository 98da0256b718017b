"""Open311's doors on any input (its views are not the ninja API, so tests/api/test_fuzz.py
does not reach them): every answer is a success or one of the standard's errors with its
status, in the format asked for — never a 500."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote
from xml.etree import ElementTree as ET

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongzhi.common.apiauth import api_token_create
from gongzhi.org.models import User

pytestmark = pytest.mark.django_db

BASE = "/open311/v2"
FIELDS = (
    "jurisdiction_id", "service_code", "address_id", "address_string", "lat", "long",
    "description", "first_name", "last_name", "phone", "media_url", "attribute[estate]",
    "attribute[building]", "attribute[channel]", "attribute[urgency]", "start_date",
    "end_date", "status", "service_request_id",
)  # fmt: skip
text = st.text(st.characters(codec="utf-8"), max_size=60)
values = st.one_of(
    text,
    st.sampled_from(
        ["370829000000", "370829", "JX-03-01", "JX-E001", "2026-11-01", "open", "-91", "nan"]
    ),
)
params = st.dictionaries(st.sampled_from(FIELDS), values, max_size=6)
ALLOWED = {200, 201, 400, 403, 404, 405}


def _check(response: Any, fmt: str) -> None:
    assert response.status_code in ALLOWED, response.content[:300]
    if fmt == "json":
        data = json.loads(response.content)
        if response.status_code >= 400:
            assert data and all(
                e["code"] == response.status_code and e["description"] for e in data
            )
    else:
        root = ET.fromstring(response.content)
        if response.status_code >= 400:
            assert root.tag == "errors"


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    fmt=st.sampled_from(["json", "xml"]),
    path=st.sampled_from(["services", "services/{x}", "requests", "requests/{x}", "tokens/{x}"]),
    segment=text.filter(bool),
    query=params,
    post=st.booleans(),
    with_key=st.booleans(),
)
def test_open311_never_fails_on_any_input(
    demo, fmt: str, path: str, segment: str, query: dict[str, str], post: bool, with_key: bool
) -> None:
    client = Client()
    url = f"{BASE}/{path.format(x=quote(segment, safe=''))}.{fmt}"
    if post and path == "requests":
        form = dict(query)
        if with_key:
            user = User.objects.get(username="dispatcher")
            form["api_key"] = api_token_create(user=user, name="fuzz", channels=["12345"])
        response = client.post(url, form)
    else:
        response = client.get(url, query)
    if response.status_code == 404 and response.get("Content-Type", "").startswith("text/html"):
        return  # a path segment the URL patterns do not take (e.g. a slash): Django's 404
    sent = (segment if "{x}" in path else "") + "".join(query) + "".join(query.values())
    if "\x00" in sent:
        # The site-wide refusal of NUL text (common/nul.py) answers before any view runs.
        assert response.status_code == 400
        return
    _check(response, fmt)
