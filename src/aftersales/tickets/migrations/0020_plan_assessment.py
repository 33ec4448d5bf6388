"""The plan's assessment (方案评估, SPEC §2.5): what the customer expects, the relationship, word of
mouth, whether the demand is reasonable, the company's fault, a note. Existing plans become "not
assessed" (a constant database default: no table rewrite on PostgreSQL)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0019_ticket_people_search_idx"),
    ]

    operations = [
        migrations.AddField(
            model_name="ticketplan",
            name="assessment_note",
            field=models.TextField(blank=True, db_default="", default="", verbose_name="assessment note"),
        ),
        migrations.AddField(
            model_name="ticketplan",
            name="company_fault",
            field=models.CharField(
                choices=[
                    ("unknown", "Not assessed"),
                    ("none", "No fault"),
                    ("minor", "Minor fault"),
                    ("partial", "Partly at fault"),
                    ("major", "Largely at fault"),
                    ("full", "Entirely at fault"),
                ],
                db_default="unknown",
                default="unknown",
                max_length=16,
                verbose_name="company's fault",
            ),
        ),
        migrations.AddField(
            model_name="ticketplan",
            name="customer_expectation",
            field=models.TextField(blank=True, db_default="", default="", verbose_name="what the customer expects"),
        ),
        migrations.AddField(
            model_name="ticketplan",
            name="demand_reasonableness",
            field=models.CharField(
                choices=[
                    ("unknown", "Not assessed"),
                    ("reasonable", "Reasonable"),
                    ("partly", "Partly reasonable"),
                    ("unreasonable", "Unreasonable or excessive"),
                    ("unfounded", "Without factual basis"),
                ],
                db_default="unknown",
                default="unknown",
                max_length=16,
                verbose_name="is the demand reasonable",
            ),
        ),
        migrations.AddField(
            model_name="ticketplan",
            name="long_term_relationship",
            field=models.CharField(
                choices=[("unknown", "Not assessed"), ("yes", "Yes"), ("no", "No")],
                db_default="unknown",
                default="unknown",
                max_length=16,
                verbose_name="long-term relationship",
            ),
        ),
        migrations.AddField(
            model_name="ticketplan",
            name="repurchase_likelihood",
            field=models.CharField(
                choices=[("unknown", "Not assessed"), ("high", "High"), ("medium", "Medium"), ("low", "Low")],
                db_default="unknown",
                default="unknown",
                max_length=16,
                verbose_name="chance of buying again",
            ),
        ),
        migrations.AddField(
            model_name="ticketplan",
            name="word_of_mouth_risk",
            field=models.CharField(
                choices=[("unknown", "Not assessed"), ("high", "High"), ("medium", "Medium"), ("low", "Low")],
                db_default="unknown",
                default="unknown",
                max_length=16,
                verbose_name="word-of-mouth risk",
            ),
        ),
    ]
