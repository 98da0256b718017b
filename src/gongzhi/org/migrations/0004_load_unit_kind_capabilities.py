"""Load the capabilities and intake channels of the unit kinds (org/data/unit_kinds.yaml)."""

from pathlib import Path

import yaml
from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "unit_kinds.yaml"


def load(apps, schema_editor):
    UnitKind = apps.get_model("org", "UnitKind")
    for row in yaml.safe_load(DATA.read_text(encoding="utf-8")):
        UnitKind.objects.filter(code=row["code"]).update(
            capabilities=row.get("capabilities", []),
            intake_channels=row.get("intake_channels", []),
        )


def unload(apps, schema_editor):
    apps.get_model("org", "UnitKind").objects.update(capabilities=[], intake_channels=[])


class Migration(migrations.Migration):
    dependencies = [("org", "0003_unit_kind_capabilities")]
    operations = [migrations.RunPython(load, unload)]
