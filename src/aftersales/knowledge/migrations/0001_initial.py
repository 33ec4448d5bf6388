# The knowledge base: articles, their published versions, keywords, attachments, "this solved it".

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import aftersales.knowledge.models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("catalog", "0001_initial"),
        ("tickets", "0012_ticket_api_key"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Article",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("faq", "FAQ"),
                            ("troubleshooting", "Troubleshooting"),
                            ("solution", "Standard solution"),
                            ("installation", "Installation guide"),
                        ],
                        max_length=24,
                        verbose_name="kind",
                    ),
                ),
                (
                    "language",
                    models.CharField(
                        choices=[("zh-hans", "Simplified Chinese"), ("en", "English")], max_length=8, verbose_name="language"
                    ),
                ),
                ("title", models.CharField(max_length=200, verbose_name="title")),
                ("body", models.TextField(verbose_name="text")),
                ("keywords", models.CharField(blank=True, max_length=300, verbose_name="keywords")),
                ("customer_visible", models.BooleanField(default=False, verbose_name="visible to customers")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("draft", "Draft"),
                            ("in_review", "In review"),
                            ("published", "Published"),
                            ("archived", "Archived"),
                        ],
                        default="draft",
                        max_length=16,
                        verbose_name="status",
                    ),
                ),
                ("submitted_at", models.DateTimeField(blank=True, null=True, verbose_name="submitted at")),
                ("solved_count", models.PositiveIntegerField(default=0, verbose_name="solved tickets")),
                ("version", models.PositiveIntegerField(default=1, verbose_name="version")),
                ("search_grams", models.TextField(blank=True, default="", editable=False)),
                ("created_at", models.DateTimeField(verbose_name="created at")),
                ("updated_at", models.DateTimeField(verbose_name="updated at")),
                (
                    "author",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="knowledge_articles",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="author",
                    ),
                ),
                (
                    "fault_categories",
                    models.ManyToManyField(
                        blank=True, related_name="+", to="tickets.ticketcategory", verbose_name="fault categories"
                    ),
                ),
                (
                    "product_categories",
                    models.ManyToManyField(
                        blank=True, related_name="+", to="catalog.productcategory", verbose_name="product categories"
                    ),
                ),
                (
                    "product_models",
                    models.ManyToManyField(
                        blank=True, related_name="+", to="catalog.productmodel", verbose_name="product models"
                    ),
                ),
                (
                    "source_ticket",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="tickets.ticket",
                        verbose_name="from ticket",
                    ),
                ),
                (
                    "submitted_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="submitted by",
                    ),
                ),
                (
                    "translation_of",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="translations",
                        to="knowledge.article",
                        verbose_name="translation of",
                    ),
                ),
            ],
            options={
                "verbose_name": "knowledge article",
                "verbose_name_plural": "knowledge articles",
                "ordering": ["-updated_at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="ArticleAttachment",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "file",
                    models.FileField(
                        max_length=200, upload_to=aftersales.knowledge.models.attachment_upload_to, verbose_name="file"
                    ),
                ),
                ("original_name", models.CharField(max_length=200, verbose_name="file name")),
                ("content_type", models.CharField(max_length=100, verbose_name="content type")),
                ("size", models.PositiveBigIntegerField(verbose_name="size")),
                ("sha256", models.CharField(max_length=64, verbose_name="SHA-256")),
                ("created_at", models.DateTimeField(verbose_name="uploaded at")),
                (
                    "article",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="attachments",
                        to="knowledge.article",
                        verbose_name="article",
                    ),
                ),
                (
                    "uploaded_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="uploaded by",
                    ),
                ),
            ],
            options={
                "verbose_name": "article attachment",
                "verbose_name_plural": "article attachments",
                "ordering": ["created_at", "id"],
            },
        ),
        migrations.CreateModel(
            name="ArticleRevision",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("number", models.PositiveIntegerField(verbose_name="version")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("faq", "FAQ"),
                            ("troubleshooting", "Troubleshooting"),
                            ("solution", "Standard solution"),
                            ("installation", "Installation guide"),
                        ],
                        max_length=24,
                        verbose_name="kind",
                    ),
                ),
                ("title", models.CharField(max_length=200, verbose_name="title")),
                ("body", models.TextField(verbose_name="text")),
                ("keywords", models.CharField(blank=True, max_length=300, verbose_name="keywords")),
                ("customer_visible", models.BooleanField(default=False, verbose_name="visible to customers")),
                ("published_at", models.DateTimeField(verbose_name="published at")),
                (
                    "approved_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="approved by",
                    ),
                ),
                (
                    "article",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="revisions",
                        to="knowledge.article",
                        verbose_name="article",
                    ),
                ),
                (
                    "author",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="author",
                    ),
                ),
            ],
            options={
                "verbose_name": "article version",
                "verbose_name_plural": "article versions",
                "ordering": ["article", "-number"],
            },
        ),
        migrations.AddField(
            model_name="article",
            name="live_revision",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="knowledge.articlerevision",
                verbose_name="published version",
            ),
        ),
        migrations.CreateModel(
            name="ArticleFeedback",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(verbose_name="at")),
                (
                    "article",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="feedback",
                        to="knowledge.article",
                        verbose_name="article",
                    ),
                ),
                (
                    "ticket",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="tickets.ticket", verbose_name="ticket"
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="by",
                    ),
                ),
            ],
            options={
                "verbose_name": "“this solved it”",
                "verbose_name_plural": "“this solved it”",
                "constraints": [models.UniqueConstraint(fields=("article", "ticket"), name="knowledge_feedback_once_per_ticket")],
            },
        ),
        migrations.CreateModel(
            name="ArticleKeyword",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("word", models.CharField(max_length=40)),
                (
                    "article",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="keyword_rows", to="knowledge.article"
                    ),
                ),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("word", "article"), name="knowledge_keyword_unique")],
            },
        ),
        migrations.AddConstraint(
            model_name="articlerevision",
            constraint=models.UniqueConstraint(fields=("article", "number"), name="knowledge_revision_number_unique"),
        ),
        migrations.AddIndex(
            model_name="article",
            index=models.Index(fields=["status", "-updated_at"], name="knowledge_status_updated"),
        ),
    ]
