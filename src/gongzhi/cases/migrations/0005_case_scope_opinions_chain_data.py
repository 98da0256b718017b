"""Fill the new columns of existing cases: the area path (the estate's community path),
who registered each case (the actor of its register event), idempotency keys scoped to
that caller, the 呈报表 opinions as rows, and the hash chain over every case's events."""

from django.db import migrations

from gongzhi.common.chain import digest


def _event_fields(e):
    return [
        e.case_id,
        e.action,
        e.actor_id,
        e.actor_unit_id,
        e.unit_id,
        e.from_state,
        e.to_state,
        e.reason,
        e.extra,
        e.created_at,
    ]


def forward(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    CaseEvent = apps.get_model("cases", "CaseEvent")
    ReportForm = apps.get_model("cases", "ReportForm")
    ReportOpinion = apps.get_model("cases", "ReportOpinion")
    for case in Case.objects.select_related("estate__community").iterator():
        register = (
            CaseEvent.objects.filter(case_id=case.pk, action="register").order_by("id").first()
        )
        case.area_path = case.estate.community.path
        case.registered_by_id = register.actor_id if register else None
        if case.idempotency_key:
            caller = f"u{case.registered_by_id}" if case.registered_by_id else "anon"
            case.idempotency_key = f"{caller}:{case.idempotency_key}"[:140]
        case.save(update_fields=["area_path", "registered_by", "idempotency_key"])
        prev = ""
        for e in CaseEvent.objects.filter(case_id=case.pk).order_by("created_at", "id"):
            e.prev_hash = prev
            e.hash = digest(prev, _event_fields(e))
            e.save(update_fields=["prev_hash", "hash"])
            prev = e.hash
    for form in ReportForm.objects.all():
        for n, item in enumerate(form.opinions_legacy or []):
            if n == 0:
                signer = "reporting"
            elif item.get("unit") == "联席会议办公室":
                signer = "office"
            else:
                signer = "receiving"
            ReportOpinion.objects.get_or_create(
                form=form,
                signer=signer,
                defaults={
                    "unit_name": item.get("unit", ""),
                    "opinion": item.get("opinion", ""),
                    "head": item.get("head", ""),
                    "date": item.get("date") or form.created_at.date(),
                },
            )


def backward(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    ReportForm = apps.get_model("cases", "ReportForm")
    for form in ReportForm.objects.all():
        form.opinions_legacy = [
            {"unit": o.unit_name, "opinion": o.opinion, "head": o.head, "date": str(o.date)}
            for o in form.opinions.order_by("id")
        ]
        form.save(update_fields=["opinions_legacy"])
    for case in Case.objects.exclude(idempotency_key=None).iterator():
        case.idempotency_key = case.idempotency_key.split(":", 1)[-1]
        case.save(update_fields=["idempotency_key"])


class Migration(migrations.Migration):
    dependencies = [("cases", "0004_case_scope_summary_opinions_chain_schema")]
    operations = [migrations.RunPython(forward, backward)]
