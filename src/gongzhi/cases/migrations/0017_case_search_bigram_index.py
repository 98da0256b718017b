"""The search box's two-character words read by an index (after cases 0016's trigrams).

A trigram needs three characters, and the words residents use most are two (漏水, 电梯,
噪音, 停车): for them the search scanned the reader's whole scope. pg_bigm is not
packaged for the server, so this does the same with plain SQL on PostgreSQL:

- ``gongzhi_bigrams(text) returns text[]``: the overlapping two-character pieces of
  ``upper(text)`` (``'Wi-Fi漏水'`` → ``{WI,I-,-F,FI,I漏,漏水}``), IMMUTABLE, as an
  index expression must be (``upper`` is);
- ``case_search_bigram_idx``: one GIN index (the array operators' default class, which
  serves ``@>``) over the pieces of ``number``, ``title`` and ``location``, the three
  columns the search tests with ``icontains``.

For such a word ``selectors.search_q`` adds, before its own arms, one test that each arm
implies, ``gongzhi_bigrams(col) @> gongzhi_bigrams(word)`` for the ``icontains`` ones
(``cases.lookups.HasBigrams``): PostgreSQL reads it by this index and the arms decide,
so the rows found are the same. A one-character word has no piece and still scans.

200,000 cases: 20 MB (the table 70 MB, the trigram index 29 MB), built in 8 s; the build
blocks writes to the table (docs/deployment.md: build it CONCURRENTLY first on a large
database, ``IF NOT EXISTS`` then leaves it alone). Figures: docs/performance.md.

SQLite has no GIN and no such function: nothing is done there (the operations check the
vendor, as 0016 does), and the index is not in ``Case.Meta``: ``makemigrations`` sees no
state change."""

from django.db import migrations

FUNCTION = "gongzhi_bigrams"
INDEX = "case_search_bigram_idx"
COLUMNS = ("number", "title", "location")

# upper() once (ICU's may change a text's length), then every piece of two characters;
# an empty array for texts shorter than two characters. PL/pgSQL: twice as fast here as
# the same in one SQL statement (generate_series), which the index build and every
# insert pay per row.
CREATE_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}(value text) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
AS $$
DECLARE
  u text := upper(value);
  grams text[] := '{{}}';
BEGIN
  FOR i IN 1 .. char_length(u) - 1 LOOP
    grams := grams || substr(u, i, 2);
  END LOOP;
  RETURN grams;
END
$$
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(CREATE_FUNCTION)
    columns = ", ".join(f"{FUNCTION}({c})" for c in COLUMNS)
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON cases_case USING gin ({columns})")


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")
    schema_editor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}(text)")


class Migration(migrations.Migration):
    dependencies = [("cases", "0016_case_search_trigram_index")]
    operations = [migrations.RunPython(forward, backward)]
