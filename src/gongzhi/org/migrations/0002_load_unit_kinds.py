"""Load the unit kinds of org/data/unit_kinds.yaml (sources cited in that file)."""

from pathlib import Path

import yaml
from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "unit_kinds.yaml"


def load(apps, schema_editor):
    UnitKind = apps.get_model("org", "UnitKind")
    for sort, row in enumerate(yaml.safe_load(DATA.read_text(encoding="utf-8"))):
        UnitKind.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "name_en": row.get("name_en", ""),
                "group": row["group"],
                "sort": sort * 10,
            },
        )


def unload(apps, schema_editor):
    UnitKind = apps.get_model("org", "UnitKind")
    codes = [row["code"] for row in yaml.safe_load(DATA.read_text(encoding="utf-8"))]
    UnitKind.objects.filter(code__in=codes, units__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("org", "0001_org_schema")]
    operations = [migrations.RunPython(load, unload)]
