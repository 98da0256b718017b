"""On PostgreSQL the database refuses to change or delete a case event (the trigger
function comes from common/0007)."""

from django.db import migrations


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "DROP TRIGGER IF EXISTS cases_caseevent_append_only ON cases_caseevent;"
        "CREATE TRIGGER cases_caseevent_append_only BEFORE UPDATE OR DELETE ON cases_caseevent "
        "FOR EACH ROW EXECUTE FUNCTION gongzhi_append_only();"
    )


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP TRIGGER IF EXISTS cases_caseevent_append_only ON cases_caseevent;")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_report_opinions_rows"),
        ("common", "0007_append_only_audit_events"),
    ]
    operations = [migrations.RunPython(forward, backward)]
