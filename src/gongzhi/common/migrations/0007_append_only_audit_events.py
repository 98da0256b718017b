"""On PostgreSQL the database itself refuses to change or delete an audit event: a
trigger raises on UPDATE and DELETE (TRUNCATE, used only to empty a test or demo
database, is not a row change). Other databases rely on the services, which never
update these rows, and on the hash chain (``gongzhi audit verify``)."""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION gongzhi_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% 只能追加，不能%', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def trigger_sql(table: str) -> str:
    return (
        f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};"
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION gongzhi_append_only();"
    )


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)
    schema_editor.execute(trigger_sql("common_auditevent"))


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP TRIGGER IF EXISTS common_auditevent_append_only ON common_auditevent;")


class Migration(migrations.Migration):
    dependencies = [("common", "0006_audit_chain_data")]
    operations = [migrations.RunPython(forward, backward)]
