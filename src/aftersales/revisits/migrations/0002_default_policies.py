"""The default revisit policies of seed 001 (key customers at least every six months, long-term
customers at least once a year) and a revisit seven days after a repair is closed."""

from django.db import migrations

POLICIES = (("key", 6), ("long_term", 12))
RULES = (("repair", 7),)


def add_defaults(apps, schema_editor):  # type: ignore[no-untyped-def]
    RevisitPolicy = apps.get_model("revisits", "RevisitPolicy")
    AfterTicketRule = apps.get_model("revisits", "AfterTicketRule")
    for tier, months in POLICIES:
        RevisitPolicy.objects.get_or_create(tier=tier, defaults={"interval_months": months, "active": True})
    for request_type, days in RULES:
        AfterTicketRule.objects.get_or_create(request_type=request_type, defaults={"days_after_close": days, "active": True})


def remove_defaults(apps, schema_editor):  # type: ignore[no-untyped-def]
    apps.get_model("revisits", "RevisitPolicy").objects.filter(tier__in=[t for t, _m in POLICIES]).delete()
    apps.get_model("revisits", "AfterTicketRule").objects.filter(request_type__in=[r for r, _d in RULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("revisits", "0001_revisits")]

    operations = [migrations.RunPython(add_defaults, remove_defaults)]
