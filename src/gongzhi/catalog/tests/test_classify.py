"""The classifier: normalisation, synonyms, duty-less words, title weight, exclusions,
calibrated confidence with abstention, explanation, ties, the routing cache and its
invalidation on a catalog change, and ``POST /api/catalog/classify``."""

from __future__ import annotations

import pytest

from gongzhi.catalog.answer import classify_message
from gongzhi.catalog.classify import KeywordClassifier, Suggestion, _decide
from gongzhi.catalog.files import read_yaml
from gongzhi.catalog.normalise import normalise
from gongzhi.catalog.routing import route_cached
from gongzhi.catalog.services import catalog_import


def test_normalise_width_script_digits_synonyms_and_duty_less_words() -> None:
    assert normalise("ＡＢＣ１２３") == "abc0"
    assert normalise("樓下私搭亂建") == "楼下违建"
    assert normalise("违章建筑") == normalise("私搭乱建") == "违建"
    assert normalise("12345热线投诉：电梯困人！") == "电梯困人"
    assert normalise("第3栋12楼") == "第0栋0楼"


@pytest.mark.django_db
def test_everyday_words_reach_the_right_unit_in_the_demo_county(demo) -> None:
    estate = demo.estates["JX-E001"]
    cases = {
        "楼下饭店的油烟熏得家里没法开窗": "济宁市生态环境局嘉祥县分局",
        "小区隔壁的厂子机器半夜还轰隆隆地响": "济宁市生态环境局嘉祥县分局",
        "买房时承诺的配套小学孩子却上不了": "县教育和体育局",
        "楼下邻居在院里私搭乱建了一间房": "县综合行政执法局",
        "電梯壞了把人關在裏面": "县市场监督管理局",
    }
    for text, unit in cases.items():
        answer = classify_message(estate=estate, body=text)
        assert answer.matter is not None, (text, answer.reason)
        assert answer.matter.unit is not None and answer.matter.unit.name == unit, text
        assert 0.5 <= answer.confidence <= 1.0


@pytest.mark.django_db
def test_out_of_scope_and_unsure_messages_abstain_with_a_reason(demo, settings) -> None:
    estate = demo.estates["JX-E001"]
    pension = classify_message(estate=estate, body="我父亲的养老金这个月又没发下来")
    assert pension.abstained and pension.reason
    nothing = classify_message(estate=estate, body="12345 投诉 反映")
    assert nothing.abstained and nothing.reason == "文字中没有职责清单里的用语"
    settings.GONGZHI_CLASSIFY_MIN_CONFIDENCE = 1.0
    unsure = classify_message(estate=estate, body="楼下饭店的油烟熏得家里没法开窗")
    assert unsure.abstained and "把握不足" in unsure.reason
    # The suggestions stay on the desk as alternatives.
    assert unsure.alternatives[0].code == "RF-ENV-01"


@pytest.mark.django_db
def test_explanation_names_the_deciding_words_and_catalog_phrases(demo) -> None:
    answer = classify_message(estate=demo.estates["JX-E001"], body="楼下烧烤店的油烟太大了")
    assert answer.matter is not None and answer.matter.code == "RF-ENV-01"
    assert any("油烟" in w for w in answer.words)
    assert "油烟" in answer.phrases
    assert "清单说法" in answer.explanation


@pytest.mark.django_db
def test_the_title_weighs_more_than_the_body(demo) -> None:
    estate = demo.estates["JX-E001"]
    lift, fumes = "电梯困人", "楼下饭店油烟熏人"
    first = classify_message(estate=estate, title=lift, body=fumes)
    second = classify_message(estate=estate, title=fumes, body=lift)
    assert first.matter is not None and first.matter.code == "JX-06-04"
    assert second.matter is not None and second.matter.code == "RF-ENV-01"


@pytest.mark.django_db
def test_an_exclusion_rules_a_matter_out(demo) -> None:
    estate = demo.estates["JX-E001"]
    factory = classify_message(estate=estate, body="旁边的机器整夜轰鸣吵得睡不着")
    site = classify_message(estate=estate, body="旁边工地的机器整夜轰鸣吵得睡不着")
    assert "RF-ENV-02" in [c.code for c in [*filter(None, [factory.matter]), *factory.alternatives]]
    assert "RF-ENV-02" not in [c.code for c in [*filter(None, [site.matter]), *site.alternatives]]


def test_ties_abstain_and_are_never_broken_by_code_order() -> None:
    tied = [Suggestion("A-01", "甲", 0.5, ()), Suggestion("B-01", "乙", 0.5, ())]
    ranking = _decide(tied, (), ())
    assert ranking.abstained and "难分高下" in ranking.reason
    clear = _decide([Suggestion("B-01", "乙", 0.8, ()), Suggestion("A-01", "甲", 0.2, ())], (), ())
    assert not clear.abstained and clear.suggestions[0].code == "B-01"


def test_two_matters_of_one_unit_are_not_a_tie(settings) -> None:
    """With units, the first matter's unit collects its matters' probability and the
    margin is to another unit: 住建局's warranty and hand-over side by side still answer,
    the same figures split between two units abstain."""
    settings.GONGZHI_CLASSIFY_MIN_CONFIDENCE = 0.5
    ranked = [
        Suggestion("JX-03-02", "保修", 0.36, ()),
        Suggestion("JX-03-03", "交房", 0.34, ()),
        Suggestion("JX-05-04", "噪声", 0.2, ()),
    ]
    assert _decide(ranked, (), ()).abstained  # 36% < 50%, and 2 points apart
    same = _decide(ranked, (), (), units=["住建局", "住建局", "公安局"])
    assert not same.abstained and same.unit_confidence == pytest.approx(0.7)
    split = _decide(ranked, (), (), units=["住建局", "执法局", "公安局"])
    assert split.abstained and split.unit_confidence == pytest.approx(0.36)
    close = _decide(ranked, (), (), units=["住建局", "公安局", "住建局"])
    assert not close.abstained and close.unit_confidence == pytest.approx(0.56)
    settings.GONGZHI_CLASSIFY_MIN_CONFIDENCE = 0.3
    near = [
        Suggestion("A-1", "甲", 0.33, ()),
        Suggestion("B", "乙", 0.33, ()),
        Suggestion("A-2", "丙", 0.02, ()),
    ]
    rival = _decide(near, (), (), units=["a", "b", "a"])  # 35% against 33%
    assert rival.abstained and rival.reason == "甲与乙难分高下，请人工判断"


@pytest.mark.django_db
def test_keyword_classifier_matches_synonyms_and_abstains_on_a_tie(demo) -> None:
    street = demo.jurisdictions["嘉祥街道"]
    catalog_import(
        jurisdiction=street,
        document=read_yaml(
            """
name: 街道清单
matters:
  - code: ZZ-01
    name: 甲事项
    keywords: [鸽子]
    lead: street_office
    time_limit: 5wd
  - code: AA-01
    name: 乙事项
    keywords: [鸽子]
    lead: street_office
    time_limit: 5wd
"""
        ),
    )
    ranking = KeywordClassifier().rank(title="", body="楼顶有人养鸽子", jurisdiction=street)
    assert {s.code for s in ranking.suggestions[:2]} == {"ZZ-01", "AA-01"}
    assert ranking.abstained and "难分高下" in ranking.reason
    # 违章建筑 in the text meets the catalog's 私搭乱建.
    ranking = KeywordClassifier().rank(title="", body="有人盖违章建筑", jurisdiction=demo.county)
    illegal = next(s for s in ranking.suggestions if s.code == "JX-04-b")
    assert "违建" in illegal.matched


@pytest.mark.django_db
def test_routing_cache_and_classifier_follow_a_catalog_change(demo) -> None:
    estate = demo.estates["JX-E001"]
    street = demo.jurisdictions["嘉祥街道"]
    before = route_cached(estate=estate, matter_code="RF-ENV-01").lead
    assert before is not None and before.name == "济宁市生态环境局嘉祥县分局"
    catalog_import(
        jurisdiction=street,
        document=read_yaml(
            """
name: 街道清单
matters:
  - code: RF-ENV-01
    name: 油烟（街道先行劝导）
    lead: street_office
    time_limit: 5wd
  - code: ST-PIGEON
    name: 楼顶养鸽子扰民
    phrasings: [楼顶有人养了一大群鸽子, 鸽子粪落满阳台, 鸽子整天咕咕叫]
    lead: street_office
    time_limit: 5wd
"""
        ),
    )
    after = route_cached(estate=estate, matter_code="RF-ENV-01").lead
    assert after is not None and after.name == "嘉祥街道办事处"
    answer = classify_message(estate=estate, body="对面楼顶养的鸽子粪便落得阳台到处都是")
    assert answer.matter is not None and answer.matter.code == "ST-PIGEON"


@pytest.mark.django_db
def test_classify_endpoint(demo, client) -> None:
    url = "/api/catalog/classify"
    body = {"estate": "JX-E001", "title": "油烟扰民", "text": "楼下饭店排烟管道对着我家窗户"}
    assert client.post(url, body, content_type="application/json").status_code == 401
    client.force_login(_user())
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 200
    data = response.json()
    assert data["matter"] is not None, data
    assert data["matter"]["code"] == "RF-ENV-01" and not data["abstained"]
    assert data["matter"]["unit"]["name"] == "济宁市生态环境局嘉祥县分局"
    assert data["explanation"]["words"] and 0 < data["confidence"] <= 1
    assert all("unit" in a for a in data["alternatives"])
    # The other county's estate routes to its own units.
    other = client.post(url, {**body, "estate": "CB-E001"}, content_type="application/json").json()
    assert other["matter"] is None or "嘉祥" not in (other["matter"]["unit"] or {}).get("name", "")
    empty = client.post(url, {"estate": "JX-E001"}, content_type="application/json")
    assert empty.status_code == 422 and "不能都为空" in str(empty.json())
    missing = client.post(url, {**body, "estate": "NOPE"}, content_type="application/json")
    assert missing.status_code == 404


def _user():  # type: ignore[no-untyped-def]
    from gongzhi.org.models import User

    return User.objects.get(username="office")


@pytest.mark.django_db
def test_message_features_are_the_training_analyzer_ngrams(demo) -> None:
    """``Model.vector`` cuts n-grams its own faster way; they must be the ones training
    saw (``learned.ngrams`` of the normalised text), with the title counted twice."""
    import math
    from collections import Counter

    from gongzhi.catalog.classify import model_for
    from gongzhi.catalog.learned import TITLE_WEIGHT, ngrams
    from gongzhi.catalog.normalise import canonical

    model = model_for(demo.county)
    assert model is not None
    for title, body in [
        ("", "楼下饭店的油烟，熏得家里没法开窗！12345"),
        ("電梯壞了", "3号楼 电梯 困人 半小时"),
        ("油烟扰民", ""),
        ("a b", "x"),
    ]:
        counts: Counter[int] = Counter()
        for text, weight in ((title, TITLE_WEIGHT), (body, 1.0)):
            for gram in ngrams(normalise(text)):
                if gram in model.vocab:
                    counts[model.vocab[gram]] += weight  # type: ignore[assignment]
        weights = {i: (1 + math.log(c)) * model.idf[i] for i, c in counts.items()}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        indices, values = model.vector(canonical(title), canonical(body))
        got = dict(zip(indices.tolist(), values.tolist(), strict=True))
        assert got.keys() == weights.keys(), (title, body)
        assert all(abs(got[i] - w / norm) < 1e-12 for i, w in weights.items())


@pytest.mark.django_db
def test_the_explanation_is_worked_out_only_when_read(demo, monkeypatch) -> None:
    from gongzhi.catalog import learned

    calls: list[int] = []
    deciding = learned.Model.deciding

    def counted(self, indices, values, position):  # type: ignore[no-untyped-def]
        calls.append(position)
        return deciding(self, indices, values, position)

    monkeypatch.setattr(learned.Model, "deciding", counted)
    answer = classify_message(estate=demo.estates["JX-E001"], body="楼下烧烤店的油烟太大了")
    assert answer.matter is not None and calls == []
    assert "油烟" in answer.explanation and len(calls) == 1
    data = answer.as_dict()
    assert data["explanation"]["words"] == list(answer.words) and len(calls) == 1  # type: ignore[index]
