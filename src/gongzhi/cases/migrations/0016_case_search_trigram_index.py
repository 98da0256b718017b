"""Issue 12: the ledger's free-text search (``cases.selectors.search_q``) read by an index.

On PostgreSQL: the pg_trgm extension and one GIN trigram index over every case column
the search box tests, so the search's OR is a BitmapOr of scans of this index (and of the
estate index for the estates whose name matched) instead of a scan of the whole table.
The index's expressions are the ones Django writes for the lookups: ``icontains`` is
``UPPER(col::text) LIKE UPPER('%…%')``, ``contains`` is ``col::text LIKE '%…%'``, and
pg_trgm 1.6 serves ``=`` too (the exact arms: integration reference, reporter's name,
room). Trigrams need three characters: a one- or two-character word is still a scan.

SQLite has neither the extension nor GIN: nothing is done there (the operations check the
vendor, as the append-only triggers of 0007 do). The index is not in ``Case.Meta`` for
the same reason; ``makemigrations`` sees no state change."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEX = "case_search_trgm_idx"
COLUMNS = (
    "upper((number)::text) gin_trgm_ops",
    "upper((title)::text) gin_trgm_ops",
    "external_ref gin_trgm_ops",
    "reporter_name gin_trgm_ops",
    "upper((location)::text) gin_trgm_ops",
    "reporter_phone gin_trgm_ops",
    "room gin_trgm_ops",
)


class CreateTrigramExtension(TrigramExtension):
    """``TrigramExtension`` checks the vendor going forwards only; this one going back too."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON cases_case USING gin ({', '.join(COLUMNS)})"
    )


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("cases", "0015_case_breached_index")]
    operations = [
        CreateTrigramExtension(),
        migrations.RunPython(forward, backward),
    ]
