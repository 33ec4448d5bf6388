from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Q
from django.db.models.functions import Lower
from django.db.models.sql.compiler import SQLCompiler
from django.utils.translation import gettext_lazy as _

from aftersales.core.masking import mask_phone
from aftersales.core.models import CachedChoiceLabels


class CustomerKind(models.TextChoices):
    PERSON = "person", _("Person")
    COMPANY = "company", _("Company")


class CustomerTier(models.TextChoices):
    KEY = "key", _("Key customer")  # 重要客户
    LONG_TERM = "long_term", _("Long-term customer")  # 长期客户
    NORMAL = "normal", _("Normal customer")  # 一般客户


EXTERNAL_CODE_MAX_LENGTH = 64
# The digits of a phone that the search by "the last digits" indexes (``PhoneTail``).
PHONE_TAIL_LENGTH = 4


class PhoneTail(models.Func):
    """The last four characters of a phone (E.164 ends in digits: its last four digits), the
    expression of the index ``customer_phone_tail_idx`` that serves the search by the end of a
    number (``customers.search``): ``…1234`` is an equality on it, rechecked by ``LIKE '%…'``.

    The length is written into the SQL, never a parameter: SQLite uses an index on an expression
    only for the same expression, and a bound parameter is not the literal of the index."""

    output_field = models.CharField()
    template = "SUBSTR(%(expressions)s, -4)"  # SQLite: a negative start counts from the end

    def as_postgresql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any) -> Any:
        return self.as_sql(compiler, connection, template="RIGHT(%(expressions)s, 4)", **extra_context)


class Customer(CachedChoiceLabels, models.Model):
    kind = models.CharField(_("kind"), max_length=16, choices=CustomerKind.choices, default=CustomerKind.PERSON)
    name = models.CharField(_("name"), max_length=128)
    # The customer's number in the company's own systems (ERP, CRM): the first key an import
    # matches on. Unique where set; blank for customers who have none. Looked up by a code, never
    # by blank: the partial unique index serves the lookups (and is empty when the column is added,
    # so adding it holds the table only for a scan — no index of a million blanks).
    external_code = models.CharField(
        _("external code"),
        max_length=EXTERNAL_CODE_MAX_LENGTH,
        blank=True,
        help_text=_("The customer's number in the company's own systems (ERP, CRM); unique where set."),
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True, db_index=True, help_text=_("E.164, e.g. +8613812345678"))
    email = models.EmailField(_("email"), blank=True)
    tier = models.CharField(_("tier"), max_length=16, choices=CustomerTier.choices, default=CustomerTier.NORMAL, db_index=True)
    region = models.ForeignKey(
        "accounts.Region", verbose_name=_("region"), null=True, blank=True, on_delete=models.SET_NULL, related_name="customers"
    )
    consent_contact = models.BooleanField(_("consents to service contact"), default=True)
    consent_marketing = models.BooleanField(_("consents to marketing"), default=False)
    consent_recorded_at = models.DateTimeField(_("consent recorded at"), null=True, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("portal user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="customer",
    )
    language = models.CharField(_("language"), max_length=16, choices=settings.LANGUAGES, default="zh-hans")
    notes = models.TextField(_("notes"), blank=True)
    # The e-mail address bounced for good (a permanent bounce of a message sent to it, read by the
    # e-mail intake): customer e-mails skip it until the address changes or staff mark it working
    # (``services.customer_email_bounced`` / ``customer_email_mark_working``). Added without a
    # default that PostgreSQL would write into every row (tests/infra/test_migration_locks.py).
    email_bounced_at = models.DateTimeField(_("e-mail bounced at"), null=True, blank=True)
    email_bounce_reason = models.CharField(_("e-mail bounce reason"), max_length=255, blank=True)
    # Set when the person's data was erased on request or after the retention period (privacy app).
    erased_at = models.DateTimeField(_("personal data erased at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Raised by every change through ``customers.services`` / ``customers.editing``: a page or an
    # API client that read version N and saves is refused when someone changed the customer since.
    # An IntegerField, not Positive…: added to a big table, a CHECK would make PostgreSQL scan it
    # under an exclusive lock (tests/infra/test_migration_locks.py); it only ever grows from 1.
    version = models.IntegerField(
        _("version"), default=1, editable=False, help_text=_("Raised on every change; guards concurrent edits.")
    )

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        indexes = [
            models.Index(Lower("email"), name="customer_email_lower_idx"),
            models.Index(PhoneTail("phone"), name="customer_phone_tail_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["external_code"],
                condition=~Q(external_code=""),
                name="customer_external_code_unique",
                # "unique" puts the error on the field in forms and the admin.
                violation_error_code="unique",
                violation_error_message=_("Another customer already has this external code."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A change saved through the model (the admin) raises the version too, as the services'
        # updates do (``customers.services.bump``): an editor who read the old one is refused.
        if self._state.adding:
            super().save(*args, **kwargs)
            return
        self.version = models.F("version") + 1
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "version"}
        super().save(*args, **kwargs)
        self.version = type(self).objects.filter(pk=self.pk).values_list("version", flat=True).get()

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class Contact(models.Model):
    """A person at a company customer (or a second contact of a person), who may report for it."""

    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=128)
    phone = models.CharField(_("phone"), max_length=32, blank=True, db_index=True)
    email = models.EmailField(_("email"), blank=True)
    position = models.CharField(_("position"), max_length=64, blank=True)
    verified = models.BooleanField(_("verified"), default=False)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return self.name


class Address(models.Model):
    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="addresses")
    province = models.CharField(_("province"), max_length=32)
    city = models.CharField(_("city"), max_length=32)
    district = models.CharField(_("district"), max_length=32, blank=True)
    detail = models.CharField(_("street address"), max_length=200)
    postal_code = models.CharField(_("postal code"), max_length=12, blank=True)
    is_default = models.BooleanField(_("default"), default=True)

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")

    def __str__(self) -> str:
        return f"{self.province}{self.city}{self.district}{self.detail}"


class ConsentSource(models.TextChoices):
    INTAKE = "intake", _("When the customer was registered")
    PORTAL = "portal", _("By the customer on the portal")
    STAFF = "staff", _("Recorded by staff")
    ERASURE = "erasure", _("Withdrawn with the erasure of the data")


class ConsentRecord(models.Model):
    """One statement of the customer's consents, as given: the history PIPL asks us to keep
    (who consented to what, when, how). The customer's current consents are on ``Customer``."""

    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="consents")
    contact = models.BooleanField(_("consents to service contact"))
    marketing = models.BooleanField(_("consents to marketing"))
    source = models.CharField(_("given"), max_length=16, choices=ConsentSource.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        ordering = ["-recorded_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.recorded_at:%Y-%m-%d %H:%M}"


# --- A phone number given to somebody else (二次放号; customers.phone_reuse) ---------------------


class PhoneCheckOutcome(models.TextChoices):
    """How the second proof of a sign-up ended (``PhoneCheck``): open while unanswered."""

    OPEN = "open", _("Not answered yet")
    PASSED = "passed", _("Confirmed the earlier record")
    FAILED = "failed", _("Could not confirm the earlier record (tries used up)")
    DECLINED = "declined", _("Said the earlier record is not theirs")


class PhoneCheck(models.Model):
    """The second proof a sign-up owes when its proven phone belongs to a customer record with
    history (or one not confirmed for a long time) and no portal account: whoever holds the
    number now answers one detail of the record. Bound to the sign-up's verified code (gone with
    it, a day after it expired); ``customer`` is the record the answer matched. No answer is
    stored."""

    proof = models.OneToOneField("accounts.PhoneCode", verbose_name=_("sign-up code"), on_delete=models.CASCADE, related_name="+")
    outcome = models.CharField(_("outcome"), max_length=16, choices=PhoneCheckOutcome.choices, default=PhoneCheckOutcome.OPEN)
    attempts = models.PositiveSmallIntegerField(_("wrong answers"), default=0)
    customer = models.ForeignKey(
        Customer, verbose_name=_("confirmed customer"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("second proof of a sign-up")
        verbose_name_plural = _("second proofs of sign-ups")

    def __str__(self) -> str:
        return f"{self.proof_id} {self.outcome}"


class PhoneReuseReason(models.TextChoices):
    FAILED = "failed", _("The new holder of the number could not confirm this record")
    DECLINED = "declined", _("The new holder of the number said this record is not theirs")


class PhoneReuseFlag(models.Model):
    """The flag "phone number now used by another person": somebody proved this customer's number by
    SMS and did not confirm the record, so they got a customer of their own (``new_customer``) and
    this record is left for staff to review (the customer page shows it until reviewed)."""

    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="phone_reuse_flags")
    new_customer = models.ForeignKey(
        Customer, verbose_name=_("customer of the new holder"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=16, choices=PhoneReuseReason.choices)
    raised_at = models.DateTimeField(_("raised at"))
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("phone number now used by another person")
        verbose_name_plural = _("phone numbers now used by other people")
        constraints = [
            # One flag per record and new holder: a sign-up makes one new customer.
            models.UniqueConstraint(fields=["customer", "new_customer"], name="phone_reuse_flag_once_per_holder")
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} → {self.new_customer_id}"
