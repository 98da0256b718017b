"""Catalog files: a bad file is refused whole with every error by row and column, in
Chinese, and the database is unchanged; a good file round-trips through YAML and .xlsx."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from gongzhi.catalog.files import MATTER_COLUMNS, read_xlsx, read_yaml
from gongzhi.catalog.models import Catalog, MatterType
from gongzhi.catalog.services import catalog_export, catalog_import
from gongzhi.common.errors import InvalidInput
from gongzhi.common.models import AuditEvent
from gongzhi.org.models import Unit

BAD_YAML = """name: 有错的清单
member_units:
  - name: 某某局
    kind: no_such_kind
matters:
  - code: A-1
    name: 第一项
    lead: housing_bureau
    time_limit: 5wd
  - code: A-1
    name: 重复编码
    lead: housing_bureau
    time_limit: 5wd
  - code: A-2
    lead: wizard_office
    time_limit: 5wd
  - code: A-3
    name: 时限有误
    lead: housing_bureau
    time_limit: 三天
  - code: A-4
    name: 上级不存在
    parent: ZZ-9
    lead: housing_bureau
    time_limit: 5wd
"""


def snapshot() -> tuple[int, int, int, list[tuple[str, str]]]:
    return (
        MatterType.objects.count(),
        Catalog.objects.count(),
        Unit.objects.count(),
        sorted(MatterType.objects.values_list("code", "name")),
    )


@pytest.mark.django_db
def test_bad_yaml_is_refused_with_every_error_and_changes_nothing(demo) -> None:
    county = demo.county
    before = snapshot()
    with pytest.raises(InvalidInput) as caught:
        catalog_import(jurisdiction=county, document=read_yaml(BAD_YAML))
    messages = [str(e) for e in caught.value.errors]
    text = "\n".join(messages)
    assert "未知单位类型“no_such_kind”" in text
    assert "编码 A-1 重复" in text
    assert "名称不能为空" in text
    assert "未知单位类型“wizard_office”" in text
    assert "时限“三天”无法识别" in text
    assert "上级编码 ZZ-9 在本清单和上级清单中都不存在" in text
    # Each error names its line in the file.
    dup = next(e for e in caught.value.errors if "重复" in e.message)
    assert dup.row == 10 and dup.column is not None and dup.column.startswith("code")
    assert snapshot() == before


def bad_workbook() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "事项"
    ws.append([h for _f, h in MATTER_COLUMNS])
    good = [
        "B-1",
        "好事项",
        "",
        "物业服务",
        "",
        "",
        "",
        "",
        "测试",
        "housing_bureau",
        "",
        "",
        "否",
        "5wd",
        "",
        "",
        "",
    ]
    ws.append(good)
    ws.append(
        [
            "B-2",
            "",
            "",
            "物业服务",
            "",
            "",
            "",
            "",
            "",
            "住房和城乡建设局",
            "",
            "",
            "否",
            "5wd",
            "",
            "",
            "",
        ]
    )
    ws.append(
        [
            "B-3",
            "坏时限",
            "",
            "物业服务",
            "",
            "",
            "",
            "",
            "",
            "housing_bureau",
            "",
            "",
            "否",
            "0wd",
            "",
            "",
            "",
        ]
    )
    ws.append(
        [
            "B-1",
            "重复",
            "",
            "物业服务",
            "",
            "",
            "",
            "",
            "",
            "no_kind",
            "",
            "",
            "也许",
            "5wd",
            "",
            "",
            "",
        ]
    )
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


@pytest.mark.django_db
def test_bad_xlsx_lists_row_and_column_letters(demo) -> None:
    before = snapshot()
    with pytest.raises(InvalidInput) as caught:
        catalog_import(jurisdiction=demo.county, document=read_xlsx(bad_workbook()))
    errors = {(e.row, (e.column or "").split("（")[0], e.message) for e in caught.value.errors}
    assert (3, "B", "名称不能为空") in errors
    assert any(r == 4 and c == "N" and "必须大于零" in m for r, c, m in errors)
    assert any(r == 5 and c == "A" and "重复" in m for r, c, m in errors)
    assert any(r == 5 and c == "J" and "no_kind" in m for r, c, m in errors)
    assert any(r == 5 and c == "M" and "是" in m for r, c, m in errors)
    assert snapshot() == before


@pytest.mark.django_db
def test_yaml_and_xlsx_round_trip(demo) -> None:
    county = demo.county
    before = snapshot()
    for fmt, reader in (("yaml", read_yaml), ("xlsx", read_xlsx)):
        data = catalog_export(jurisdiction=county, fmt=fmt)
        result = catalog_import(jurisdiction=county, document=reader(data))
        assert result.created == 0 and result.removed == 0 and result.units_created == 0
        assert (
            result.updated
            == before[0] - MatterType.objects.exclude(catalog__jurisdiction=county).count()
        )
    assert snapshot() == before
    wb = load_workbook(io.BytesIO(catalog_export(jurisdiction=county, fmt="xlsx")))
    assert wb.sheetnames == ["清单", "事项", "成员单位"]
    assert [c.value for c in wb["事项"][1]][:3] == ["编码", "名称", "上级编码"]


@pytest.mark.django_db
def test_import_command_refuses_bad_file(demo, tmp_path, capsys) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD_YAML, encoding="utf-8")
    before = snapshot()
    with pytest.raises(CommandError, match="未导入任何内容"):
        call_command("catalog", "import", str(bad), "--jurisdiction", demo.county.code)
    assert "时限“三天”无法识别" in capsys.readouterr().err
    assert snapshot() == before


@pytest.mark.django_db
def test_import_and_export_commands(demo, tmp_path, capsys) -> None:
    out = tmp_path / "jx.xlsx"
    call_command(
        "catalog",
        "export",
        "--jurisdiction",
        demo.county.code,
        "--format",
        "xlsx",
        "--output",
        str(out),
    )
    assert out.stat().st_size > 5000
    call_command("catalog", "import", str(out), "--jurisdiction", demo.county.code)
    assert "第 2 版" in capsys.readouterr().out
    assert AuditEvent.objects.filter(action="catalog.import").exists()
    call_command("catalog", "export", "--jurisdiction", demo.county.code, "--format", "yaml")
    assert "JX-03-01" in capsys.readouterr().out


@pytest.mark.django_db
def test_upload_page_shows_errors_with_422_and_requires_office(demo, login) -> None:
    url = f"/catalog/{demo.county.code}/import/"
    client = login("zjj")
    assert client.get(url).status_code == 403
    client = login("office")
    from django.core.files.uploadedfile import SimpleUploadedFile

    before = snapshot()
    upload = SimpleUploadedFile("bad.yaml", BAD_YAML.encode(), content_type="application/yaml")
    response = client.post(url, {"file": upload})
    assert response.status_code == 422
    assert "未知单位类型“wizard_office”" in response.content.decode()
    assert snapshot() == before
    good = SimpleUploadedFile("jx.yaml", catalog_export(jurisdiction=demo.county, fmt="yaml"))
    response = client.post(url, {"file": good})
    assert response.status_code == 302


@pytest.mark.django_db
def test_upload_api(demo, login) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login("office")
    url = f"/api/catalog/{demo.county.code}/import"
    response = client.post(url, {"file": SimpleUploadedFile("bad.yaml", BAD_YAML.encode())})
    assert response.status_code == 422
    assert any(e["message"].startswith("时限“三天”") for e in response.json()["errors"])
    data = catalog_export(jurisdiction=demo.county, fmt="yaml")
    response = client.post(url, {"file": SimpleUploadedFile("jx.yaml", data)})
    assert response.status_code == 200
    assert response.json()["revision"] == 2
    other = login("zjj")
    response = other.post(url, {"file": SimpleUploadedFile("jx.yaml", data)})
    assert response.status_code == 403


@pytest.mark.django_db
def test_not_a_catalog_file(demo) -> None:
    with pytest.raises(InvalidInput):
        read_xlsx(b"not a zip")
    with pytest.raises(InvalidInput) as caught:
        read_yaml("matters: [unclosed")
    assert caught.value.errors[0].row == 1


def _without_matters_in_use(county) -> tuple[bytes, dict[str, tuple[str, int]]]:
    """The county's catalog as YAML, less every entry that cases point at."""
    import yaml
    from django.db.models import Count

    from gongzhi.cases.models import Case

    used = {
        row["matter__code"]: (row["matter__name"], row["n"])
        for row in Case.objects.filter(matter__catalog__jurisdiction=county)
        .values("matter__code", "matter__name")
        .annotate(n=Count("pk"))
        .order_by()
    }
    data = yaml.safe_load(catalog_export(jurisdiction=county, fmt="yaml"))
    data["matters"] = [m for m in data["matters"] if m["code"] not in used]
    return yaml.safe_dump(data, allow_unicode=True).encode(), used


@pytest.mark.django_db
def test_dropping_a_matter_in_use_is_refused_naming_each_entry(demo) -> None:
    text, used = _without_matters_in_use(demo.county)
    assert len(used) >= 2  # the demo's cases use several matter types
    before = snapshot()
    with pytest.raises(InvalidInput) as caught:
        catalog_import(jurisdiction=demo.county, document=read_yaml(text))
    messages = [e.message for e in caught.value.errors]
    assert len(messages) == len(used)
    for code, (name, n) in used.items():
        assert any(f"事项 {code}“{name}”仍被 {n} 件案件使用" in m for m in messages), code
    assert snapshot() == before
    assert demo.county.catalog.revision == Catalog.objects.get(pk=demo.county.catalog.pk).revision


@pytest.mark.django_db
def test_dropping_a_matter_in_use_answers_422_on_the_page(demo, login) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    text, used = _without_matters_in_use(demo.county)
    before = snapshot()
    client = login("office")
    response = client.post(
        f"/catalog/{demo.county.code}/import/",
        {"file": SimpleUploadedFile("jx.yaml", text, content_type="application/yaml")},
    )
    assert response.status_code == 422
    page = response.content.decode()
    for code, (name, n) in used.items():
        assert f"事项 {code}“{name}”仍被 {n} 件案件使用" in page
    assert snapshot() == before


@pytest.mark.django_db
def test_dropping_a_matter_in_use_fails_the_command(demo, tmp_path, capsys) -> None:
    text, used = _without_matters_in_use(demo.county)
    path = tmp_path / "jx.yaml"
    path.write_bytes(text)
    before = snapshot()
    with pytest.raises(CommandError, match="未导入任何内容"):
        call_command("catalog", "import", str(path), "--jurisdiction", demo.county.code)
    err = capsys.readouterr().err
    for code, (name, n) in used.items():
        assert f"事项 {code}“{name}”仍被 {n} 件案件使用" in err
    assert snapshot() == before


@pytest.mark.django_db
def test_a_yaml_error_names_one_row_and_one_column(demo) -> None:
    text = (
        "matters:\n  - code: C-1\n    name: 类别有误\n    lead: housing_bureau\n\n\n"
        "    category: 不存在\n    time_limit: 5wd\n"
    )
    with pytest.raises(InvalidInput) as caught:
        catalog_import(jurisdiction=demo.jurisdictions["万张街道"], document=read_yaml(text))
    (error,) = caught.value.errors
    assert (error.row, error.column) == (7, "category")
    assert str(error) == "第 7 行，“category”列：未知类别“不存在”"
    assert str(error).count("行") == 1
