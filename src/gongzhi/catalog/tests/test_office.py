"""The office's learning pages and their API: training examples (filter, search, take a
wrong one out of training with an audit event), model versions (accuracy, activate, roll
back). Another county's office and a unit get 404."""

from __future__ import annotations

import pytest

from gongzhi.catalog import training
from gongzhi.catalog.models import ModelVersion, TrainingExample
from gongzhi.catalog.training import model_version_train, training_example_record
from gongzhi.common.models import AuditEvent

pytestmark = pytest.mark.django_db


def examples(demo) -> list[TrainingExample]:
    estate = demo.estates["JX-E001"]
    rows = [
        ("楼道垃圾一周没人扫，电话13912345678", "JX-15-a", "dispatch"),
        ("草坪被踩秃了没人补种", "JX-15-b", "overrule"),
        ("电梯天天坏", "JX-15-b", "dispatch"),  # wrong: the office will take it out
    ]
    found = [
        training_example_record(estate=estate, text=t, matter_code=m, source=src)
        for t, m, src in rows
    ]
    return [e for e in found if e is not None]


def version(demo, number: int, active: bool, accuracy: float) -> ModelVersion:
    return ModelVersion.objects.create(
        jurisdiction=demo.county,
        number=number,
        catalog_signature="old",
        examples=10 * number,
        held_out=number,
        accuracy=accuracy,
        active=active,
        blob=b"",
    )


def test_examples_page_filters_searches_and_disables_with_audit(demo, login) -> None:
    *_, wrong = examples(demo)
    client = login("office")
    url = f"/catalog/{demo.county.code}/examples/"
    html = client.get(url).content.decode()
    assert "楼道垃圾一周没人扫" in html and "13912345678" not in html  # masked when recorded
    assert "小区保洁" in html  # the matter's name beside its code
    only = client.get(url, {"source": "overrule"}).content.decode()
    assert "草坪被踩秃了" in only and "楼道垃圾" not in only
    assert "电梯天天坏" in client.get(url, {"q": "电梯"}).content.decode()
    assert "草坪" not in client.get(url, {"matter": "JX-15-a"}).content.decode()

    response = client.post(
        f"/catalog/examples/{wrong.pk}/disable/", {"disabled": "1", "reason": "事项错了"}
    )
    assert response.status_code == 302
    wrong.refresh_from_db()
    assert wrong.disabled
    event = AuditEvent.objects.get(action="classifier.example_disable")
    assert event.target_id == str(wrong.pk) and event.reason == "事项错了"
    assert "电梯天天坏" not in client.get(url, {"disabled": "no"}).content.decode()
    # The API: the list and putting it back.
    listed = client.get(f"/api/catalog/{demo.county.code}/examples?disabled=yes").json()
    assert [e["id"] for e in listed] == [wrong.pk]
    back = client.post(
        f"/api/catalog/examples/{wrong.pk}/disable",
        {"disabled": False},
        content_type="application/json",
    )
    assert back.status_code == 200 and back.json()["disabled"] is False
    again = client.post(
        f"/api/catalog/examples/{wrong.pk}/disable",
        {"disabled": False},
        content_type="application/json",
    )
    assert again.status_code == 400  # already so: nothing changed


def test_training_leaves_out_disabled_examples(demo, monkeypatch) -> None:
    made = examples(demo)
    TrainingExample.objects.filter(pk=made[2].pk).update(disabled=True)
    seen: list[list[tuple[str, str]]] = []

    class Stop(Exception):
        pass

    def train(entries, extra=()):  # the real one takes seconds; what it is given matters
        seen.append(list(extra))
        raise Stop

    monkeypatch.setattr(training.learned, "train", train)
    monkeypatch.setattr(training, "_held_out", lambda e: False)
    with pytest.raises(Stop):
        model_version_train(jurisdiction=demo.county)
    assert sorted(text for text, _code in seen[0]) == sorted(e.text for e in made[:2])


def test_versions_page_shows_accuracy_and_activates_and_rolls_back(demo, login) -> None:
    v1 = version(demo, 1, False, 0.5)
    v2 = version(demo, 2, True, 0.75)
    client = login("office")
    html = client.get(f"/catalog/{demo.county.code}/versions/").content.decode()
    assert "v2" in html and "75%" in html and "启用中" in html and "回退到上一版本" in html
    assert client.post(f"/catalog/versions/{v1.pk}/activate/").status_code == 302
    v1.refresh_from_db()
    v2.refresh_from_db()
    assert v1.active and not v2.active
    assert AuditEvent.objects.filter(action="classifier.activate", target_id=str(v1.pk)).exists()
    # API: activate v2 again, then roll back to v1.
    api = client.post(f"/api/catalog/versions/{v2.pk}/activate")
    assert api.status_code == 200 and api.json()["active"] is True
    listed = client.get(f"/api/catalog/{demo.county.code}/versions").json()
    assert [(v["number"], v["active"]) for v in listed] == [(2, True), (1, False)]
    back = client.post(f"/api/catalog/{demo.county.code}/versions/rollback")
    assert back.status_code == 200 and back.json()["number"] == 1
    # Nothing earlier than v1: a clear refusal, nothing changed.
    refused = client.post(f"/api/catalog/{demo.county.code}/versions/rollback")
    assert refused.status_code == 400 and "没有更早的模型版本" in refused.json()["message"]


def test_other_county_and_units_get_404(demo, login) -> None:
    (example, *_rest) = examples(demo)
    v1 = version(demo, 1, True, 0.5)
    code = demo.county.code
    for name in ("cb-office", "zjj", "resident"):
        client = login(name)
        for url in (f"/catalog/{code}/examples/", f"/catalog/{code}/versions/"):
            assert client.get(url).status_code == 404, (name, url)
        assert client.post(f"/catalog/examples/{example.pk}/disable/").status_code == 404
        assert client.post(f"/catalog/versions/{v1.pk}/activate/").status_code == 404
        assert client.get(f"/api/catalog/{code}/examples").status_code == 404
        assert client.post(f"/api/catalog/{code}/versions/rollback").status_code == 404
        api = client.post(
            f"/api/catalog/examples/{example.pk}/disable", {}, content_type="application/json"
        )
        assert api.status_code == 404
    example.refresh_from_db()
    assert not example.disabled
    assert client.get(f"/catalog/{code}/examples/").status_code == 404
    # Anonymous: the login page, never the data.
    from django.test import Client

    assert Client().get(f"/catalog/{code}/examples/").status_code == 302
