"""Fill the monthly rollup from the daily rows already kept, month by month, as the
worker would have (stats/rollup.py ``_write_months``): the sums per month, place (the
street's path, or the area's without a street), unit and matter."""

from collections import defaultdict

from django.db import migrations
from django.db.models import Sum
from django.db.models.functions import TruncMonth

FIGURES = (
    "received",
    "accepted",
    "accepted_on_time",
    "handled",
    "rated",
    "satisfied",
    "overdue",
    "returned",
    "buck_passing",
    "reopened",
)


def fill(apps, schema_editor):
    Daily = apps.get_model("stats", "DailyFigures")
    Monthly = apps.get_model("stats", "MonthlyFigures")
    Jurisdiction = apps.get_model("org", "Jurisdiction")
    streets = dict(
        Jurisdiction.objects.filter(level__in=("street", "town")).values_list("pk", "path")
    )
    months = (
        Daily.objects.annotate(m=TruncMonth("day")).values_list("m", flat=True).distinct()
    )
    for month in sorted(set(months)):
        rows = (
            Daily.objects.filter(day__year=month.year, day__month=month.month)
            .values("area_path", "street_id", "unit_id", "matter")
            .annotate(**{n: Sum(n) for n in FIGURES})
            .order_by()
        )
        merged = {}
        sums: dict = defaultdict(lambda: defaultdict(int))
        for row in rows:
            street_id = row["street_id"]
            place = streets.get(street_id, row["area_path"]) if street_id else row["area_path"]
            key = f"{month:%Y-%m}|{place}|{row['unit_id']}|{row['matter']}"
            merged[key] = (place, street_id, row["unit_id"], row["matter"])
            for n in FIGURES:
                sums[key][n] += row[n] or 0
        Monthly.objects.bulk_create(
            [
                Monthly(
                    key=key,
                    month=month,
                    area_path=place,
                    street_id=street_id,
                    unit_id=unit_id,
                    matter=matter,
                    **sums[key],
                )
                for key, (place, street_id, unit_id, matter) in merged.items()
            ],
            batch_size=1000,
        )


def empty(apps, schema_editor):
    apps.get_model("stats", "MonthlyFigures").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("stats", "0004_monthly_rollup"), ("org", "0004_load_unit_kind_capabilities")]

    operations = [migrations.RunPython(fill, empty)]
