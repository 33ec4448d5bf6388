"""A technician profile for every technician who has none: the hook ``USER_BECAME_TECHNICIAN``
(``fieldservice.receivers.user_became_technician``) gives one to a user who becomes a technician
from now on, but the technicians made before it have none, so dispatch does not suggest them.

Each missing profile is made as the hook makes it: no skills, the default capacity, active, the
user's region as its region (none without one). In batches by user id, each in its own short
transaction (``atomic = False``); a run that stops half-way is simply run again (a user with a
profile is skipped). Going back leaves the profiles (nothing to undo: they are the technicians'
now, and may have been edited)."""

from django.db import migrations, transaction

BATCH = 1000


def create_missing(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    TechnicianProfile = apps.get_model("fieldservice", "TechnicianProfile")
    ProfileRegion = TechnicianProfile.regions.through
    alias = schema_editor.connection.alias
    last = 0
    while True:
        rows = list(
            User.objects.using(alias)
            .filter(pk__gt=last, role="technician", technician_profile__isnull=True)
            .order_by("pk")
            .values_list("pk", "region_id")[:BATCH]
        )
        if not rows:
            return
        regions = dict(rows)
        with transaction.atomic(using=alias):
            # ignore_conflicts: a profile the hook made meanwhile (the site running) is not made twice.
            TechnicianProfile.objects.using(alias).bulk_create(
                [TechnicianProfile(user_id=pk) for pk in regions], ignore_conflicts=True
            )
            made = TechnicianProfile.objects.using(alias).filter(user_id__in=list(regions)).values_list("pk", "user_id")
            ProfileRegion.objects.using(alias).bulk_create(
                [
                    ProfileRegion(technicianprofile_id=profile, region_id=regions[user])
                    for profile, user in made
                    if regions[user] is not None
                ],
                ignore_conflicts=True,
            )
        last = rows[-1][0]


class Migration(migrations.Migration):
    atomic = False  # one short transaction per batch (see above)

    dependencies = [
        ("accounts", "0012_user_manager"),
        ("fieldservice", "0004_work_order_outlet"),
    ]

    operations = [migrations.RunPython(create_missing, migrations.RunPython.noop)]
