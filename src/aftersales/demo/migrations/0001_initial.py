from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="DemoDataset",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("loaded_at", models.DateTimeField(verbose_name="loaded at")),
                ("seed", models.IntegerField(verbose_name="seed")),
            ],
            options={
                "verbose_name": "demo data set",
                "verbose_name_plural": "demo data sets",
                "constraints": [models.CheckConstraint(condition=models.Q(("id", 1)), name="demo_dataset_one_row")],
            },
        ),
    ]
