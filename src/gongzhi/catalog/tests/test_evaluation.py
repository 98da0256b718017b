"""``gongzhi router eval FILE``: the figures it prints, the errors it refuses with, and
the shipped evaluation set kept apart from the catalog's training phrasings."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from gongzhi.catalog.evaluation import read_rows
from gongzhi.catalog.learned import training_texts
from gongzhi.catalog.normalise import normalise
from gongzhi.catalog.selectors import effective_catalog

EVAL_FILE = Path(__file__).resolve().parents[1] / "data" / "eval" / "jiaxiang.csv"
DEV_FILE = EVAL_FILE.with_name("dev.csv")
DEV2_FILE = EVAL_FILE.with_name("dev2.csv")


@pytest.mark.django_db
def test_eval_prints_top1_top3_abstention_and_confusion(demo, tmp_path, capsys) -> None:
    path = tmp_path / "small.csv"
    path.write_text(
        "text,expected\n"
        "楼下饭店的油烟熏得没法开窗,RF-ENV-01\n"
        "楼下饭店的油烟熏得没法开窗,JX-06-04\n"
        "我的养老金没有到账,-\n"
        "小区路灯坏了一片,县住房和城乡建设局\n",
        encoding="utf-8",
    )
    call_command("router", "eval", str(path), "--misses", "5")
    out = capsys.readouterr().out
    assert "消息数：4（清单内 3，清单外 1）" in out
    assert "按事项  top-1：50.0%（1/2）" in out
    assert "清单外转人工率：100.0%（1/1）" in out
    assert "JX-06-04 → RF-ENV-01  1" in out
    assert "按单位  top-1：33.3%（1/3）" in out


@pytest.mark.django_db
def test_eval_refuses_a_file_with_its_rows(demo, tmp_path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("text,expected\n,RF-ENV-01\n油烟,\n", encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        call_command("router", "eval", str(path))
    assert "第 2 行：文本为空" in str(caught.value)
    assert "第 3 行：期望结果为空" in str(caught.value)
    header = tmp_path / "header.csv"
    header.write_text("words,label\n油烟,RF-ENV-01\n", encoding="utf-8")
    with pytest.raises(CommandError, match="缺少“text”列"):
        call_command("router", "eval", str(header))


@pytest.mark.django_db
def test_shipped_eval_set_is_large_and_apart_from_training(demo) -> None:
    rows = read_rows(EVAL_FILE)
    assert len(rows) >= 200
    assert sum(r.expected == ["-"] for r in rows) >= 30
    catalog = effective_catalog(demo.county)
    training = {normalise(t) for e in catalog.values() for t in training_texts(e)}
    shared = [r.text for r in rows if normalise(r.text) in training]
    assert shared == []
    for row in rows:
        assert all(code == "-" or code in catalog for code in row.expected), row.line


@pytest.mark.django_db
def test_development_set_is_apart_from_training_and_from_the_evaluation_set(demo) -> None:
    """The set the classifier is tuned on (docs/routing.md, "Measuring") shares no
    sentence with the training phrasings nor with the evaluation set."""
    first, second = read_rows(DEV_FILE), read_rows(DEV2_FILE)
    assert len(first) >= 300 and len(second) >= 150
    assert sum(r.expected == ["-"] for r in first) >= 60
    assert sum(r.expected == ["-"] for r in second) >= 30
    catalog = effective_catalog(demo.county)
    training = {normalise(t) for e in catalog.values() for t in training_texts(e)}
    evaluation = {normalise(r.text) for r in read_rows(EVAL_FILE)}
    assert [r.text for r in first + second if normalise(r.text) in training | evaluation] == []
    for row in first + second:
        assert all(code == "-" or code in catalog for code in row.expected), row.line


@pytest.mark.django_db
def test_bench_router_prints_messages_per_second_per_core(demo, capsys) -> None:
    call_command("bench", "router", "--duration", "0.1")
    out = capsys.readouterr().out
    assert "messages per second per core" in out and "loaded from the shared cache" in out
    assert "explanation" not in out
    call_command("bench", "router", "--duration", "0.1", "--explain")
    assert "classify + route + explanation:" in capsys.readouterr().out
