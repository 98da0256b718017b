"""Chain the audit events written before the chain existed, per audited object in the
order they were written (common/chain.py)."""

from django.db import migrations

from gongzhi.common.chain import audit_event_fields, digest


def forward(apps, schema_editor):
    AuditEvent = apps.get_model("common", "AuditEvent")
    last: dict[tuple[str, str], str] = {}
    for event in AuditEvent.objects.order_by("id").iterator():
        key = (event.target_type, event.target_id)
        event.prev_hash = last.get(key, "")
        event.hash = digest(event.prev_hash, audit_event_fields(event))
        event.save(update_fields=["prev_hash", "hash"])
        last[key] = event.hash


def backward(apps, schema_editor):
    apps.get_model("common", "AuditEvent").objects.update(prev_hash="", hash="")


class Migration(migrations.Migration):
    dependencies = [("common", "0005_audit_chain")]
    operations = [migrations.RunPython(forward, backward)]
