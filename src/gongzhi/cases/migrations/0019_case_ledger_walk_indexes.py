"""Issue 12: the ledger reads a reader's cases by the parts of its scope
(cases/selectors.py ``LedgerPages``): the cases a unit leads, those it transferred, those
of an estate. Three indexes, each such a part by date holding the columns the ledger's
filters test and the keys it sorts by, so a part's count under any filter and its keys
are read from the index alone: a unit's cases of one estate at 10 M were 402 ms read as
one OR of indexes, 7 ms as a part (docs/performance.md). The transfer index is partial
(transferred cases only) and replaces the plain foreign-key index. Building them on a
large live table: docs/deployment.md ("Indexes")."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0018_case_open_map_indexes"),
        ("catalog", "0004_office_examples_proposals"),
        ("org", "0005_estate_custodian_company"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="case",
            name="transferred_from",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                help_text="办理结果须反馈给该单位（004 三(二)）",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="transferred_cases",
                to="org.unit",
                verbose_name="转办单位",
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                fields=["lead_unit", "created_at"],
                include=(
                    "id",
                    "state",
                    "resolve_due_at",
                    "accept_due_at",
                    "breached_at",
                    "matter",
                    "estate",
                    "channel",
                ),
                name="case_lead_walk_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("transferred_from__isnull", False)),
                fields=["transferred_from", "created_at"],
                include=(
                    "id",
                    "state",
                    "resolve_due_at",
                    "accept_due_at",
                    "breached_at",
                    "lead_unit",
                    "matter",
                    "estate",
                    "channel",
                ),
                name="case_transfer_walk_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                fields=["estate", "created_at"],
                include=(
                    "id",
                    "state",
                    "resolve_due_at",
                    "accept_due_at",
                    "breached_at",
                    "lead_unit",
                    "matter",
                    "channel",
                ),
                name="case_estate_walk_idx",
            ),
        ),
    ]
