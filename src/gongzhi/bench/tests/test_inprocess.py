"""The in-process intake measurement (``gongzhi bench intake --in-process``): it registers
through the whole stack with a bearer token, counts every statement and tells them apart
by kind; not a timed test."""

from __future__ import annotations

from typing import Any

from gongzhi.bench import inprocess
from gongzhi.cases.models import Case
from gongzhi.common.apiauth import api_token_create
from gongzhi.org.models import User


def test_statement_kinds() -> None:
    assert inprocess._kind('INSERT INTO "cases_case" ("number") VALUES (%s)') == (
        "INSERT cases_case"
    )
    assert inprocess._kind('SELECT "x"."id" FROM "notify_optout" WHERE 1') == (
        "SELECT notify_optout"
    )
    assert inprocess._kind('UPDATE "notify_message" SET "state" = %s') == "UPDATE notify_message"
    assert inprocess._kind("WITH n AS (UPDATE …) UPDATE …") == "WITH n"


def test_measure_registers_and_counts(demo: Any) -> None:
    token = api_token_create(
        user=User.objects.get(username="dispatcher"), name="bench", channels=["12345"]
    )
    before = Case.objects.count()
    result = inprocess.measure(
        token=token, warmup=1, registrations=3, broker="eager", database="test"
    )
    assert (result.created, result.errors) == (3, 0)
    assert Case.objects.count() == before + 4  # the warm-up's case too
    assert result.kinds["INSERT cases_case"] == 3
    assert result.statements == sum(result.kinds.values())
    assert result.cpu_s > 0 and result.per_registration > 5
