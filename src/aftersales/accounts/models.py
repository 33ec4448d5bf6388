from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .provinces import city_key, province_key, province_name


class Role(models.TextChoices):
    AGENT = "agent", _("Agent")
    TECHNICIAN = "technician", _("Technician")
    QUALITY_MANAGER = "quality_manager", _("Quality manager")
    QUALITY_ENGINEER = "quality_engineer", _("Quality engineer")
    APPRAISER = "appraiser", _("Appraiser")
    SUPERVISOR = "supervisor", _("Supervisor")
    # The role (仓管); "Warehouse" alone is the place (仓库).
    WAREHOUSE = "warehouse", pgettext_lazy("role", "Warehouse")
    MARKETING = "marketing", _("Marketing")
    FINANCE = "finance", _("Finance")
    ADMINISTRATOR = "administrator", _("Administrator")
    CUSTOMER = "customer", _("Customer")


STAFF_ROLES = frozenset(r for r in Role if r != Role.CUSTOMER)
# Roles that work with customers' personal data as part of their job and see it unmasked.
UNMASKED_ROLES = frozenset({Role.AGENT, Role.SUPERVISOR, Role.QUALITY_MANAGER, Role.ADMINISTRATOR})
# Roles that dispatch work orders by their role (agents only with the permission).
DISPATCHER_ROLES = frozenset({Role.SUPERVISOR, Role.ADMINISTRATOR})


def staff_by_role(role: str, *, is_superuser: bool) -> bool:
    """Whether a user may sign in to /admin/ (Django's ``is_staff``)."""
    return bool(is_superuser or role == Role.ADMINISTRATOR)


class DataScope(models.TextChoices):
    OWN = "own", _("Own records")
    TEAM = "team", _("Team")
    REGION = "region", _("Region")
    ALL = "all", _("All")


class Region(models.Model):
    """A service region (大区/省区), e.g. 华东 East China, optionally nested."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=64)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent region"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class RegionArea(models.Model):
    """A province, or one city of it, that a region serves: the table a ticket's or a customer's
    address is looked up in (``accounts.regions.region_for``). A city's row wins over its
    province's row. Names are stored normalised (``accounts.provinces``): 江苏 and Jiangsu are
    both stored as 江苏省, 苏州市 as 苏州."""

    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.CASCADE, related_name="areas")
    province = models.CharField(
        _("province"), max_length=32, help_text=_("The province, municipality or autonomous region, e.g. 江苏 or 上海.")
    )
    city = models.CharField(_("city"), max_length=32, blank=True, default="", help_text=_("Leave empty for the whole province."))

    class Meta:
        verbose_name = _("region area")
        verbose_name_plural = _("region areas")
        ordering = ["province", "city"]
        constraints = [models.UniqueConstraint(fields=["province", "city"], name="region_area_province_city_unique")]

    def __str__(self) -> str:
        return f"{self.province} {self.city}".strip()

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.normalize()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if not (self.province or "").strip():
            return  # the field's own "required" error
        if not province_name(self.province):
            raise ValidationError({"province": _("Enter a province of China, e.g. 江苏, 江苏省 or Jiangsu.")})
        self.normalize()

    def normalize(self) -> None:
        """The stored form: the official province name and the city's key."""
        self.province = province_key(self.province)
        self.city = city_key(self.city)


class Team(models.Model):
    name = models.CharField(_("name"), max_length=64, unique=True)
    region = models.ForeignKey(Region, verbose_name=_("region"), null=True, blank=True, on_delete=models.PROTECT)
    leader = models.ForeignKey(
        "accounts.User", verbose_name=_("leader"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class UserManager(DjangoUserManager["User"]):
    """Django's manager, with a superuser that is an administrator who sees everything: the role
    administrator and the data scope "all" unless given (``manage.py createsuperuser`` and
    ``create_administrator``), so the first account's ticket list and customers are not empty or
    masked as an agent's own would be."""

    def create_superuser(self, username: str, email: str | None = None, password: str | None = None, **extra_fields: Any) -> User:
        extra_fields.setdefault("role", Role.ADMINISTRATOR)
        extra_fields.setdefault("data_scope", DataScope.ALL)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """A person who signs in: staff in one role, or a customer using the portal."""

    display_name = models.CharField(_("display name"), max_length=64, blank=True)
    role = models.CharField(_("role"), max_length=32, choices=Role.choices, default=Role.AGENT, db_index=True)
    data_scope = models.CharField(_("data scope"), max_length=16, choices=DataScope.choices, default=DataScope.OWN)
    team = models.ForeignKey(
        Team, verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    region = models.ForeignKey(
        Region, verbose_name=_("region"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    language = models.CharField(_("language"), max_length=16, blank=True, default="")
    # Raised by "sign out everywhere": it is part of the session's auth hash, so every session
    # signed in before no longer matches and ends at its next request (accounts/sessions.py).
    session_epoch = models.PositiveIntegerField(_("session generation"), default=0, editable=False)

    objects: ClassVar[UserManager] = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def save(self, *args: Any, **kwargs: Any) -> None:
        """``is_staff`` (may sign in to /admin/) follows the role: superusers and administrators,
        nobody else (docs/decisions/0013-administration.md); what an administrator sees there is
        the configuration (``core.admin.ConfigurationAdmin``)."""
        self.is_staff = staff_by_role(self.role, is_superuser=self.is_superuser)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"role", "is_superuser"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "is_staff"}
        super().save(*args, **kwargs)

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        """Django's hash of the password (also with SECRET_KEY_FALLBACKS), and the session
        generation once it was raised (at 0 the hash is Django's own: sessions signed in before
        this field existed stay valid)."""
        if not self.session_epoch:
            return super()._get_session_auth_hash(secret=secret)  # type: ignore[misc]
        from django.utils.crypto import salted_hmac

        key_salt = "aftersales.accounts.User.get_session_auth_hash"
        return salted_hmac(key_salt, f"{self.password}:{self.session_epoch}", secret=secret, algorithm="sha256").hexdigest()

    def __str__(self) -> str:
        return self.label(self.display_name, self.first_name, self.last_name, self.username)

    @staticmethod
    def label(display_name: str, first_name: str, last_name: str, username: str) -> str:
        """How a user is named on pages: display name, else full name, else user name (also for
        rows read as values, e.g. the ticket list's assignee)."""
        full_name = f"{first_name or ''} {last_name or ''}".strip()
        return display_name or full_name or username or ""

    @property
    def is_customer(self) -> bool:
        return self.role == Role.CUSTOMER

    @property
    def sees_personal_data(self) -> bool:
        return self.is_superuser or self.role in UNMASKED_ROLES

    @property
    def dispatches_by_role(self) -> bool | None:
        """Whether the role alone says the user dispatches work orders: yes for superusers,
        supervisors and administrators; for agents (``None``) the ``dispatch_workorder``
        permission decides (a "dispatch desk"); no for every other role."""
        if self.is_superuser or self.role in DISPATCHER_ROLES:
            return True
        return None if self.role == Role.AGENT else False


class SmsResetCode(models.Model):
    """A six-digit password reset code sent by SMS to a customer without an e-mail address
    (``accounts.sms_reset``). Only a keyed hash of the code is stored; it expires after
    ``SMS_RESET_CODE_MINUTES`` and dies after ``SMS_RESET_MAX_ATTEMPTS`` wrong entries."""

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+")
    phone = models.CharField(_("phone"), max_length=32, db_index=True)
    code_hash = models.CharField(_("code hash"), max_length=128)
    created_at = models.DateTimeField(_("created at"))
    expires_at = models.DateTimeField(_("expires at"))
    attempts = models.PositiveSmallIntegerField(_("wrong attempts"), default=0)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("SMS reset code")
        verbose_name_plural = _("SMS reset codes")

    def __str__(self) -> str:
        return f"SMS reset code #{self.pk}"


class PhoneCodePurpose(models.TextChoices):
    SIGN_UP = "sign_up", _("Portal sign-up")
    SIGN_IN = "sign_in", _("Sign-in by SMS code")


class PhoneCode(models.Model):
    """A six-digit code sent by SMS that proves a phone (``accounts.login_code``): a new
    customer signing up to the portal, or a customer signing in without a password. Only a keyed
    hash of the code is stored; it expires after ``SMS_RESET_CODE_MINUTES`` and dies after
    ``SMS_RESET_MAX_ATTEMPTS`` wrong entries. ``verified_at``: the right code was entered;
    ``used_at``: what it proved was spent (the sign-in, or the one account a sign-up creates)."""

    purpose = models.CharField(_("purpose"), max_length=16, choices=PhoneCodePurpose.choices)
    phone = models.CharField(_("phone"), max_length=32)
    # A sign-in code is sent for one account (a sign-up code for nobody yet).
    user = models.ForeignKey(User, verbose_name=_("user"), null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    code_hash = models.CharField(_("code hash"), max_length=128)
    created_at = models.DateTimeField(_("created at"))
    expires_at = models.DateTimeField(_("expires at"), db_index=True)
    attempts = models.PositiveSmallIntegerField(_("wrong attempts"), default=0)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("SMS verification code")
        verbose_name_plural = _("SMS verification codes")
        indexes = [models.Index(fields=["phone", "purpose", "created_at"], name="phone_code_lookup_idx")]

    def __str__(self) -> str:
        return f"SMS code #{self.pk}"


class OutletKind(models.TextChoices):
    OWN = "own", _("Own service centre")
    AUTHORISED = "authorised", _("Authorised third party")


class ServiceOutlet(models.Model):
    """A service outlet (服务网点): an own service centre or an authorised third party that
    technicians are dispatched from. Its technicians are the members of its ``team`` and the
    team's leader is the outlet's dispatcher; the contract's rates settle its completed work
    (``outlets`` app)."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=128)
    kind = models.CharField(_("kind"), max_length=16, choices=OutletKind.choices, default=OutletKind.AUTHORISED)
    company = models.CharField(_("company (legal name)"), max_length=200, blank=True)
    contact_name = models.CharField(_("contact name"), max_length=128, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("email"), blank=True)
    province = models.CharField(_("province"), max_length=32, blank=True)
    city = models.CharField(_("city"), max_length=32, blank=True)
    district = models.CharField(_("district"), max_length=32, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    regions = models.ManyToManyField(Region, verbose_name=_("regions served"), blank=True, related_name="outlets")
    team = models.OneToOneField(
        Team,
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="outlet",
        help_text=_("Its technicians are the team's members; the team's leader is the outlet's dispatcher."),
    )
    active = models.BooleanField(_("active"), default=True)
    call_out_fee = models.DecimalField(_("call-out fee per completed visit"), max_digits=10, decimal_places=2, default=0)
    labour_rate = models.DecimalField(_("labour rate per hour"), max_digits=10, decimal_places=2, default=0)
    travel_rate = models.DecimalField(_("travel rate per km"), max_digits=10, decimal_places=2, default=0)
    repeat_penalty = models.DecimalField(
        _("penalty per repeat repair"), max_digits=10, decimal_places=2, default=0, help_text=_("0: no penalty.")
    )
    contract_from = models.DateField(_("contract valid from"), null=True, blank=True)
    contract_until = models.DateField(_("contract valid until"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("service outlet")
        verbose_name_plural = _("service outlets")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(call_out_fee__gte=0, labour_rate__gte=0, travel_rate__gte=0, repeat_penalty__gte=0),
                name="accounts_outlet_rates_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(contract_from__isnull=True)
                | models.Q(contract_until__isnull=True)
                | models.Q(contract_until__gte=models.F("contract_from")),
                name="accounts_outlet_contract_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def in_force_on(self, day: dt.date) -> bool:
        """Whether work may be dispatched through the outlet on ``day``: it is active and its
        contract (open-ended on a side left blank) covers the day."""
        return (
            self.active
            and (self.contract_from is None or self.contract_from <= day)
            and (self.contract_until is None or day <= self.contract_until)
        )
