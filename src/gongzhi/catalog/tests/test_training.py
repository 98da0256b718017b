"""Learning from the desk: a dispatch by matter records a training example; ``router
train`` builds a version, activates it only when it is not worse on the held-back
examples, every process then classifies with it; ``router rollback`` goes back."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from gongzhi.cases import services as s
from gongzhi.catalog import classify, training
from gongzhi.catalog.models import ModelVersion, TrainingExample
from gongzhi.catalog.selectors import catalog_memo_clear
from gongzhi.catalog.training import (
    model_version_rollback,
    model_version_train,
    training_example_record,
)
from gongzhi.org.models import User

PIGEONS = [
    "楼顶鸽子笼又脏又臭",
    "对面养的鸽子天天落在我家阳台",
    "鸽子粪把晾的衣服弄脏了",
    "邻居在楼顶养了几百只鸽子",
    "一大早鸽哨声吵醒人",
    "鸽子身上有虫子飞到家里",
    "楼顶搭了鸽子棚",
    "鸽子毛飘得到处都是",
    "养鸽子的人每天放飞好几次",
    "鸽子在空调外机上做窝",
]


@pytest.mark.django_db
def test_dispatch_by_matter_records_a_training_example_with_phones_masked(demo, client) -> None:
    case = s.case_register(
        channel="12345",
        estate="JX-E001",
        title="楼道垃圾没清",
        description="3 号楼楼道垃圾没清，电话 13912345678",
        reporter_name="王小明",
        reporter_phone="13912345678",
    )
    client.force_login(User.objects.get(username="office"))
    response = client.post(
        f"/cases/{case.number}/act/dispatch/",
        {"matter_code": "JX-15-a", "expected_version": case.version, "next": "/cases/desk/"},
    )
    assert response.status_code == 302
    example = TrainingExample.objects.get(case_number=case.number)
    assert example.matter_code == "JX-15-a" and example.source == "dispatch"
    assert "13912345678" not in example.text and "楼道垃圾没清" in example.text


def _examples(demo, code: str = "JX-05-03") -> None:  # type: ignore[no-untyped-def]
    estate = demo.estates["JX-E001"]
    for n in range(3):
        for text in PIGEONS:
            training_example_record(
                estate=estate, text=f"{text}{'！' * n}", matter_code=code, source="dispatch"
            )


@pytest.mark.django_db
def test_train_activates_a_version_not_worse_and_classification_uses_it(demo, capsys) -> None:
    _examples(demo)
    call_command("router", "train", "--jurisdiction", demo.county.code)
    out = capsys.readouterr().out
    assert "v1" in out and "已启用" in out
    version = ModelVersion.objects.get(jurisdiction=demo.county, active=True)
    assert version.examples > 0 and version.held_out > 0
    assert version.accuracy >= version.baseline_accuracy
    catalog_memo_clear()
    model = classify.model_for(demo.estates["JX-E001"].community)
    assert model is not None
    key = (demo.estates["JX-E001"].community.pk, demo.estates["JX-E001"].community.path)
    assert classify._by_entries[key][1].endswith(f":v{version.pk}")
    call_command("router", "versions", "--jurisdiction", demo.county.code)
    assert "* v1" in capsys.readouterr().out


@pytest.mark.django_db
def test_a_worse_version_is_kept_inactive(demo, monkeypatch) -> None:
    _examples(demo)
    first = model_version_train(jurisdiction=demo.county)
    assert first.active
    scores = iter([0.4, 0.9])  # the candidate, then the active version
    monkeypatch.setattr(training, "_accuracy", lambda model, examples: next(scores))
    second = model_version_train(jurisdiction=demo.county)
    assert not second.active and second.accuracy < second.baseline_accuracy
    assert ModelVersion.objects.get(jurisdiction=demo.county, active=True).pk == first.pk


@pytest.mark.django_db
def test_rollback_restores_the_previous_version(demo) -> None:
    _examples(demo)
    first = model_version_train(jurisdiction=demo.county)
    second = model_version_train(jurisdiction=demo.county)
    assert second.active and second.number == 2
    back = model_version_rollback(jurisdiction=demo.county)
    assert back.pk == first.pk and back.active
    assert not ModelVersion.objects.get(pk=second.pk).active
    with pytest.raises(CommandError, match="没有更早的模型版本"):
        call_command("router", "rollback", "--jurisdiction", demo.county.code)


@pytest.mark.django_db
def test_an_overruled_return_confirms_the_matter_as_an_example(demo) -> None:
    from gongzhi.cases.models import Case

    case = s.case_register(
        channel="12345",
        estate="JX-E002",
        title="物业收费不公示",
        description="物业费标准从来不张贴",
        matter_code="JX-06-01",
        reporter_name="王小明",
        reporter_phone="13912345678",
        actor=User.objects.get(username="dispatcher"),
    )
    s.case_return(
        case=case,
        actor=User.objects.get(username="scj"),
        reason="属价格部门",
        claimed_matter_code="JX-07-a",
    )
    s.case_overrule(
        case=Case.objects.get(pk=case.pk),
        actor=User.objects.get(username="office"),
        reason="收费公示属市场监管",
    )
    example = TrainingExample.objects.get(case_number=case.number)
    assert example.source == "overrule" and example.matter_code == "JX-06-01"


@pytest.mark.django_db
def test_the_daily_retrain_trains_where_there_are_new_examples_only(demo) -> None:
    from gongzhi.catalog.tasks import retrain

    assert retrain() == ""
    _examples(demo)
    assert retrain() == f"{demo.county.code}:v1:1"
    assert retrain() == ""
