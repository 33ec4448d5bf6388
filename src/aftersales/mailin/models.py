"""Every inbound email, stored raw before anything else happens to it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aftersales.core.i18n import rendered


class InboundStatus(models.TextChoices):
    NEW = "new", _("New")
    PROCESSED = "processed", _("Processed")
    HELD = "held", _("Held for an agent")
    IGNORED = "ignored", _("Ignored")


class InboundSource(models.TextChoices):
    IMAP = "imap", _("Mailbox (IMAP)")
    HTTP = "http", _("Pushed (HTTP)")


class InboundOutcome(models.TextChoices):
    NONE = "", _("—")
    TICKET_CREATED = "ticket_created", _("New ticket")
    REPLY_ADDED = "reply_added", _("Reply added to the ticket")
    RELEASED = "released", _("Released to a ticket by an agent")
    DISCARDED = "discarded", _("Discarded by an agent")


class InboundMessage(models.Model):
    """One received email. ``raw`` is kept as received; ``message_id`` is unique, so the same
    message delivered twice (IMAP and push, a retry) is stored and processed once."""

    raw = models.BinaryField(_("raw message"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    message_id = models.CharField(_("Message-ID"), max_length=255, unique=True)
    mail_from = models.CharField(_("from"), max_length=320, blank=True)
    # The From address alone, lower-cased: what the per-sender loop break counts by.
    sender = models.CharField(_("sender address"), max_length=320, blank=True, default="")
    mail_to = models.TextField(_("to"), blank=True)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    source = models.CharField(_("source"), max_length=8, choices=InboundSource.choices)
    received_at = models.DateTimeField(_("received at"), db_index=True)
    status = models.CharField(_("status"), max_length=16, choices=InboundStatus.choices, default=InboundStatus.NEW)
    # ``reason`` is the English text (admin, logs, search); ``reason_text`` the same as a deferred
    # text (``core.i18n.deferred``) that every reader sees in their own language.
    reason = models.TextField(_("reason"), blank=True)
    reason_text = models.JSONField(_("reason (translatable)"), null=True, blank=True, default=None)
    outcome = models.CharField(_("outcome"), max_length=16, choices=InboundOutcome.choices, blank=True, default="")
    ticket = models.ForeignKey(
        "tickets.Ticket", verbose_name=_("ticket"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body_text = models.TextField(_("text"), blank=True)
    body_html = models.TextField(_("sanitised HTML"), blank=True)
    attachment_names = models.JSONField(_("attachments"), default=list, blank=True)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("handled by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Set when the retention job (MAILIN_KEEP_DAYS) emptied the raw bytes, addresses and text.
    purged_at = models.DateTimeField(_("purged at"), null=True, blank=True)

    class Meta:
        verbose_name = _("inbound email")
        verbose_name_plural = _("inbound emails")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["status", "received_at"], name="mailin_status_idx"),
            models.Index(fields=["sender", "received_at"], name="mailin_sender_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(status__in=["held", "ignored"]) | ~Q(reason=""), name="mailin_held_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.message_id} ({self.status})"

    @property
    def shown_reason(self) -> str:
        """The reason in the reader's language (the stored English text for older rows)."""
        return rendered(self.reason_text, self.reason)
