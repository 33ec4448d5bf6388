from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationChannel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")
    WECHAT = "wechat", _("WeChat")
    IN_APP = "in_app", _("In-app")


class NotificationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped")


class DeliveryStatus(models.TextChoices):
    """Whether the message reached the person (docs/notifications.md, "Delivery receipts"): the
    provider's acceptance is "sent"; the carrier's or WeChat's receipt makes it "delivered" or
    "failed" (a refusal at sending fails it too)."""

    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent, awaiting receipt")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Not delivered")
    NOT_SENT = "not_sent", _("Not sent")


class Notification(models.Model):
    """A rendered message to one recipient, stored before it is sent (the outbox)."""

    channel = models.CharField(_("channel"), max_length=16, choices=NotificationChannel.choices)
    template = models.CharField(_("template"), max_length=64)
    recipient = models.CharField(_("recipient"), max_length=254, help_text=_("Email address, phone number or user id."))
    language = models.CharField(_("language"), max_length=16, default="zh-hans")
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("body"))
    params = models.JSONField(
        _("values"),
        default=dict,
        blank=True,
        help_text=_("The message's values (ticket number, link, …) for the providers' SMS and WeChat templates."),
    )
    user = models.ForeignKey(
        "accounts.User",
        verbose_name=_("staff user"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
        help_text=_("Set for in-app notifications: whose inbox it is in."),
    )
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    ticket = models.ForeignKey(
        "tickets.Ticket", verbose_name=_("ticket"), null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    status = models.CharField(_("status"), max_length=16, choices=NotificationStatus.choices, default=NotificationStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    delivery = models.CharField(_("delivery"), max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED)
    delivery_code = models.CharField(
        _("provider's code"), max_length=64, blank=True, help_text=_("The receipt's or the refusal's code (DELIVRD, UNDELIV, …).")
    )
    delivery_detail = models.CharField(
        _("provider's description"), max_length=255, blank=True, help_text=_("The provider's own words for the receipt.")
    )
    delivered_at = models.DateTimeField(_("receipt time"), null=True, blank=True)
    provider_ref = models.CharField(
        _("provider's message id"), max_length=64, blank=True, help_text=_("Aliyun BizId, Tencent SerialNo, WeChat msgid.")
    )
    send_group = models.CharField(
        _("send"), max_length=32, blank=True, editable=False, help_text=_("The messages of one send share it.")
    )
    # A plain column on the big outbox table: no foreign-key constraint to validate nor unique
    # index to build under a lock when it is added (tests/infra/test_migration_locks.py); "once" is
    # the partial unique index per send below, and the link is kept by the ORM (SET_NULL).
    fallback_for = models.ForeignKey(
        "self",
        verbose_name=_("fallback for"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="fallbacks",
        db_index=False,
        db_constraint=False,
        help_text=_("The undelivered message this one replaces on another channel (once)."),
    )

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["status", "created_at"], name="notification_status_idx"),
            models.Index(fields=["user", "read_at", "created_at"], name="notification_inbox_idx"),
            # The failed deliveries page (last 7 days) and the receipt poll (sent, no receipt yet).
            models.Index(fields=["delivery", "created_at"], name="notification_delivery_idx"),
            # Tencent's receipt names the message by its SerialNo only.
            models.Index(
                fields=["channel", "provider_ref"], name="notification_provider_ref_idx", condition=~models.Q(provider_ref="")
            ),
            # The fallbacks of a message (SET_NULL when it is deleted): only the rows that are one.
            models.Index(
                fields=["fallback_for"], name="notification_fallback_for_idx", condition=models.Q(fallback_for__isnull=False)
            ),
        ]
        constraints = [
            # An undelivered message is sent again once per send, whichever of its rows failed first.
            models.UniqueConstraint(
                fields=["send_group"],
                condition=models.Q(fallback_for__isnull=False) & ~models.Q(send_group=""),
                name="notification_one_fallback_per_send",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template} → {self.recipient}"


class NotificationTemplate(models.Model):
    """One saved version of a notification's text for an event, channel and language.

    Every save is a new row (a new version); at most one version per event, channel and
    language is active, and the active one is what is sent. None active: the shipped text
    (today's translation) is sent. Texts hold placeholders such as {工单号} (template_text.py).
    """

    event = models.CharField(_("event"), max_length=64)
    channel = models.CharField(_("channel"), max_length=16, choices=NotificationChannel.choices)
    language = models.CharField(_("language"), max_length=16)
    version = models.PositiveIntegerField(_("version"))
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("body"))
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        "accounts.User", verbose_name=_("saved by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("saved at"))

    class Meta:
        verbose_name = _("notification template")
        verbose_name_plural = _("notification templates")
        ordering = ["event", "channel", "language", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "channel", "language", "version"], name="notification_template_version_uniq"
            ),
            models.UniqueConstraint(
                fields=["event", "channel", "language"],
                condition=models.Q(active=True),
                name="notification_template_one_active",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} · {self.channel} · {self.language} · v{self.version}"


class ReplyTemplate(models.Model):
    """A canned reply an agent inserts into a message to the customer (placeholders filled with
    the ticket's values before sending)."""

    title = models.CharField(_("title"), max_length=120)
    language = models.CharField(_("language"), max_length=16)
    category = models.CharField(_("category"), max_length=60, blank=True)
    body = models.TextField(_("text"))
    active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_by = models.ForeignKey(
        "accounts.User", verbose_name=_("created by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_by = models.ForeignKey(
        "accounts.User", verbose_name=_("changed by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("changed at"))

    class Meta:
        verbose_name = _("reply template")
        verbose_name_plural = _("reply templates")
        ordering = ["language", "category", "title", "id"]
        indexes = [models.Index(fields=["language", "active"], name="reply_template_lang_idx")]

    def __str__(self) -> str:
        return self.title


class WeChatContact(models.Model):
    """A bound WeChat account (its openid): a customer's, where their WeChat messages go (the
    WeChat backend binds it through the integration), or a staff member's, where an
    administrator's WeChat test sends go. One account per person."""

    customer = models.OneToOneField(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="wechat_contact",
    )
    user = models.OneToOneField(
        "accounts.User",
        verbose_name=_("staff user"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="wechat_contact",
    )
    openid = models.CharField(_("WeChat openid"), max_length=64, unique=True)
    bound_at = models.DateTimeField(_("bound at"))

    class Meta:
        verbose_name = _("WeChat contact")
        verbose_name_plural = _("WeChat contacts")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(customer__isnull=False, user__isnull=True)
                | models.Q(customer__isnull=True, user__isnull=False),
                name="wechat_contact_one_owner",
            )
        ]

    def __str__(self) -> str:
        return self.openid


class ShortLink(models.Model):
    """A short code (``/s/<code>``) standing for a page of this site, for messages whose
    variables are too short for the page's signed link (SMS templates: docs/notifications.md
    "Short links"). Opening it redirects to the target, which does its own checks; the target is
    always a path on this site (never another site: no open redirect). One row per target."""

    code = models.CharField(_("code"), max_length=16, unique=True)
    target = models.CharField(_("target"), max_length=2000, help_text=_("The page on this site the code opens (a path)."))
    target_digest = models.CharField(_("target digest"), max_length=64, unique=True, editable=False)
    language = models.CharField(
        _("language"), max_length=16, blank=True, help_text=_("The recipient's language: the page shown once it has expired.")
    )
    created_at = models.DateTimeField(_("created at"))
    expires_at = models.DateTimeField(_("expires at"), db_index=True)
    hits = models.PositiveIntegerField(_("times opened"), default=0)
    last_used_at = models.DateTimeField(_("last opened at"), null=True, blank=True)

    class Meta:
        verbose_name = _("short link")
        verbose_name_plural = _("short links")

    def __str__(self) -> str:
        return self.code
