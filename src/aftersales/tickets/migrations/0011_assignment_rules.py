"""Assignment (issue 14): the automatic assignment rules, the staff's skills, availability and
absences (docs/assignment.md). New tables only."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("catalog", "0001_initial"),
        ("tickets", "0010_ticketcount_from_analytics"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AssignmentRule",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=100, verbose_name="name")),
                ("active", models.BooleanField(default=True, verbose_name="active")),
                (
                    "position",
                    models.PositiveSmallIntegerField(default=0, help_text="Lower is tried first.", verbose_name="order"),
                ),
                (
                    "channel",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("hotline", "Hotline / phone"),
                            ("web", "Web portal"),
                            ("app", "Mobile app"),
                            ("wechat", "WeChat"),
                            ("email", "Email"),
                            ("store", "Store counter"),
                            ("social", "Social media"),
                            ("letter", "Letter / fax"),
                            ("api", "Integration (CRM)"),
                        ],
                        max_length=16,
                        verbose_name="channel",
                    ),
                ),
                (
                    "request_type",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("repair", "Repair"),
                            ("return", "Return"),
                            ("exchange", "Exchange"),
                            ("refund", "Refund"),
                            ("compensation", "Compensation"),
                            ("consultation", "Consultation"),
                            ("installation", "Installation"),
                            ("complaint", "Complaint"),
                        ],
                        max_length=16,
                        verbose_name="request type",
                    ),
                ),
                (
                    "members_of_ticket_region",
                    models.BooleanField(
                        default=False,
                        help_text="For a team that spans regions: only members whose region is the ticket's.",
                        verbose_name="only members of the ticket's region",
                    ),
                ),
                (
                    "method",
                    models.CharField(
                        choices=[("round_robin", "Round robin"), ("least_loaded", "Least loaded")],
                        default="round_robin",
                        max_length=16,
                        verbose_name="method",
                    ),
                ),
                (
                    "last_assigned_at",
                    models.DateTimeField(blank=True, editable=False, null=True, verbose_name="last assigned at"),
                ),
                (
                    "category",
                    models.ForeignKey(
                        blank=True,
                        help_text="Empty: any category, also a ticket not classified yet.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="tickets.ticketcategory",
                        verbose_name="category",
                    ),
                ),
                (
                    "last_assignee",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="last assigned to",
                    ),
                ),
                (
                    "region",
                    models.ForeignKey(
                        blank=True,
                        help_text="Tickets of this region or of a region within it; empty: any region.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="accounts.region",
                        verbose_name="region",
                    ),
                ),
                (
                    "team",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="accounts.team", verbose_name="team"
                    ),
                ),
            ],
            options={
                "verbose_name": "assignment rule",
                "verbose_name_plural": "assignment rules",
                "ordering": ["position", "id"],
            },
        ),
        migrations.CreateModel(
            name="StaffAvailability",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("accepts_new_tickets", models.BooleanField(default=True, verbose_name="accepts new tickets")),
                (
                    "max_open_tickets",
                    models.PositiveSmallIntegerField(
                        blank=True, help_text="Empty: no limit.", null=True, verbose_name="open tickets at most"
                    ),
                ),
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="availability",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="staff member",
                    ),
                ),
            ],
            options={
                "verbose_name": "staff availability",
                "verbose_name_plural": "staff availability",
            },
        ),
        migrations.CreateModel(
            name="StaffAbsence",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("starts_at", models.DateTimeField(verbose_name="absent from")),
                ("ends_at", models.DateTimeField(verbose_name="absent until")),
                ("reason", models.CharField(blank=True, max_length=200, verbose_name="reason")),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="absences",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="staff member",
                    ),
                ),
            ],
            options={
                "verbose_name": "staff absence",
                "verbose_name_plural": "staff absences",
                "ordering": ["-starts_at"],
                "indexes": [models.Index(fields=["user", "ends_at"], name="staff_absence_user_end_idx")],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("ends_at__gt", models.F("starts_at"))), name="staff_absence_ends_after_start"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="StaffSkill",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "category",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="tickets.ticketcategory",
                        verbose_name="category",
                    ),
                ),
                (
                    "product_category",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="catalog.productcategory",
                        verbose_name="product category",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="assignment_skills",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="staff member",
                    ),
                ),
            ],
            options={
                "verbose_name": "staff skill",
                "verbose_name_plural": "staff skills",
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("category__isnull", False), ("product_category__isnull", False), _connector="OR"),
                        name="staff_skill_names_something",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("product_category__isnull", True)),
                        fields=("user", "category"),
                        name="staff_skill_category_unique",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("category__isnull", True)),
                        fields=("user", "product_category"),
                        name="staff_skill_product_unique",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("category__isnull", False), ("product_category__isnull", False)),
                        fields=("user", "category", "product_category"),
                        name="staff_skill_both_unique",
                    ),
                ],
            },
        ),
    ]
