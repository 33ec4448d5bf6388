"""Default calendars and SLA policies from seed 001: reply within 24 h, a solution (or a committed
completion time) within 48 h, urgent and important requests first.

Targets are working minutes on the calendar. On the office calendar (Mon–Fri 09:00–18:00, Chinese
public holidays and make-up workdays) one working day is 9 h, so the seed's "24 h" reads as one
working day and "48 h" as two. Urgent requests (safety hazards among them) run on the 24×7
calendar in clock hours.

| policy            | calendar | first response | solution     | resolution    | escalate after |
|-------------------|----------|----------------|--------------|---------------|----------------|
| urgent            | 24×7     | 2 h            | 24 h         | 48 h          | 1 h            |
| important         | office   | 4 h            | 1 day (9 h)  | 3 days (27 h) | 4 h            |
| key customer      | office   | 4 h            | 2 days (18 h)| 4 days (36 h) | 4 h            |
| default           | office   | 1 day (9 h)    | 2 days (18 h)| 5 days (45 h) | 1 day (9 h)    |

The administrator changes them in the admin; a more specific policy (priority and tier) wins.
"""

from decimal import Decimal

from django.db import migrations

OFFICE = "办公日历"
ALWAYS = "全天候"
OFFICE_HOURS = {str(weekday): [["09:00", "18:00"]] for weekday in range(5)}

POLICIES = [
    # name, priority, tier, calendar, first response, solution, resolution, escalate after, position
    ("紧急", 1, "", ALWAYS, 120, 1440, 2880, 60, 10),
    ("重要", 2, "", OFFICE, 240, 540, 1620, 240, 20),
    ("重要客户", None, "key", OFFICE, 240, 1080, 2160, 240, 30),
    ("默认", None, "", OFFICE, 540, 1080, 2700, 540, 100),
]


def add_defaults(apps, schema_editor):
    Calendar = apps.get_model("sla", "Calendar")
    SlaPolicy = apps.get_model("sla", "SlaPolicy")
    calendars = {
        OFFICE: Calendar.objects.get_or_create(
            name=OFFICE,
            defaults={"timezone": "Asia/Shanghai", "working_hours": OFFICE_HOURS, "uses_chinese_holidays": True},
        )[0],
        ALWAYS: Calendar.objects.get_or_create(
            name=ALWAYS,
            defaults={"timezone": "Asia/Shanghai", "working_hours": {}, "uses_chinese_holidays": False, "is_24x7": True},
        )[0],
    }
    for name, priority, tier, calendar, first, solution, resolution, escalate, position in POLICIES:
        SlaPolicy.objects.get_or_create(
            name=name,
            defaults={
                "priority": priority,
                "customer_tier": tier,
                "calendar": calendars[calendar],
                "first_response_minutes": first,
                "solution_minutes": solution,
                "resolution_minutes": resolution,
                "warning_share": Decimal("0.75"),
                "escalate_after_minutes": escalate,
                "position": position,
            },
        )


def remove_defaults(apps, schema_editor):
    SlaPolicy = apps.get_model("sla", "SlaPolicy")
    Calendar = apps.get_model("sla", "Calendar")
    SlaPolicy.objects.filter(name__in=[p[0] for p in POLICIES]).delete()
    Calendar.objects.filter(name__in=[OFFICE, ALWAYS], policies__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("sla", "0001_initial")]

    operations = [migrations.RunPython(add_defaults, remove_defaults)]
