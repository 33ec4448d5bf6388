"""The faulty parts appraised in place by the parts app (``FaultyPartReturn.appraisal_result``)
become signed appraisals of kind faulty part (docs/appraisal.md): the result maps onto the
conclusion as ``appraisal/faulty.py`` says (a copy here: migrations never import app code), the
note is the findings, the appraiser signed it when the part was appraised (the supplier's name
was never recorded: it stays empty). A faulty part whose
parts return has no work order (so no ticket) has no appraisal to become; it keeps its result."""

from django.db import migrations

CONCLUSION_OF_RESULT = {
    "supplier_defect": {"fault_type": "performance", "cause": "materials", "responsibility": "supplier", "sanbao_applies": True},
    "wear": {"fault_type": "non_performance", "cause": "environment", "responsibility": "", "sanbao_applies": True},
    "misuse": {"fault_type": "man_made", "cause": "misuse", "responsibility": "customer", "sanbao_applies": False},
    "no_fault": {"fault_type": "no_fault", "cause": "", "responsibility": "", "sanbao_applies": False},
}


def appraised_parts_to_appraisals(apps, schema_editor):
    Faulty = apps.get_model("parts", "FaultyPartReturn")
    Appraisal = apps.get_model("appraisal", "Appraisal")
    rows = (
        Faulty.objects.filter(status="appraised", part_return__work_order__isnull=False, appraisals__isnull=True)
        .exclude(appraisal_result="")
        .select_related("part_return__work_order__ticket__product_unit", "part", "product_unit")
    )
    for faulty in rows.iterator():
        conclusion = CONCLUSION_OF_RESULT.get(faulty.appraisal_result)
        if conclusion is None:
            continue
        ticket = faulty.part_return.work_order.ticket
        unit = faulty.product_unit or ticket.product_unit
        when = faulty.appraised_at or faulty.part_return.received_at or faulty.part_return.created_at
        Appraisal.objects.create(
            ticket_id=ticket.pk,
            status="signed",
            place="returned",
            subject="faulty_part",
            faulty_part_id=faulty.pk,
            request_note=faulty.condition,
            appraiser_id=faulty.appraised_by_id,
            product_unit_id=unit.pk if unit is not None else None,
            product_model_id=unit.model_id if unit is not None else ticket.product_model_id,
            batch=(unit.batch if unit is not None else "") or ticket.reported_batch,
            findings=faulty.appraisal_note,
            component_id=faulty.part_id,
            signed_by_id=faulty.appraised_by_id,
            signed_at=when,
            created_at=when,
            updated_at=when,
            **conclusion,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("appraisal", "0002_faulty_part_subject"),
        ("parts", "0002_van_names"),
    ]

    operations = [migrations.RunPython(appraised_parts_to_appraisals, migrations.RunPython.noop)]
