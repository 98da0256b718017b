"""The intake memo of the services: used outside transactions only, cleared when the
organisation changes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db.models.signals import post_save

from gongzhi.cases.services import intake as s
from gongzhi.org.models import Unit


@pytest.fixture
def clean_memo() -> Iterator[None]:
    s.intake_memo_clear()
    yield
    s.intake_memo_clear()


def test_intake_memo_outside_transactions_is_cleared_by_org_changes(clean_memo: None) -> None:
    calls: list[int] = []

    def build() -> int:
        calls.append(1)
        return len(calls)

    assert s._memoised(("t",), build) == 1
    assert s._memoised(("t",), build) == 1  # memoised
    post_save.send(sender=Unit, instance=None, created=False)
    assert s._memoised(("t",), build) == 2  # a unit changed: built again


@pytest.mark.django_db
def test_intake_memo_is_not_used_inside_a_transaction(clean_memo: None) -> None:
    calls: list[int] = []

    def build() -> int:
        calls.append(1)
        return len(calls)

    assert s._memoised(("t",), build) == 1
    assert s._memoised(("t",), build) == 2
