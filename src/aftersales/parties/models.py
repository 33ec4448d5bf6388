"""The register of responsible parties (责任方): the departments, suppliers, logistics companies
and service outlets a ticket's or an appraisal's responsibility and the cost chargeback name
(SPEC §2 step 3, §5). A party's name is unique per kind as compared (``name_key``: NFKC, case
folded, no spaces), so "美的供应商" and "美的 供应商" are one party."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from aftersales.core.text import normalise


class PartyKind(models.TextChoices):
    DEPARTMENT = "department", _("Department")
    SUPPLIER = "supplier", _("Supplier")
    LOGISTICS = "logistics", _("Logistics company")
    SERVICE_OUTLET = "service_outlet", _("Service outlet")


def party_name_key(name: str | None) -> str:
    """A party's name as compared: the search's normal form (NFKC, invisible characters gone),
    case-folded, without spaces ("ＡＢＣ 物流" == "abc物流")."""
    return normalise(name).casefold().replace(" ", "")


class ResponsibleParty(models.Model):
    kind = models.CharField(_("kind"), max_length=16, choices=PartyKind.choices)
    name = models.CharField(_("name"), max_length=128)
    name_en = models.CharField(_("English name"), max_length=128, blank=True, help_text=_("Shown on English pages if given."))
    name_key = models.CharField(_("name as compared"), max_length=128, editable=False)
    code = models.SlugField(_("code"), max_length=32, unique=True, help_text=_("Short code used by the API and exports."))
    active = models.BooleanField(_("active"), default=True, help_text=_("Inactive parties are kept for history but not offered."))
    contact = models.CharField(_("contact"), max_length=200, blank=True, help_text=_("Contact person, phone or e-mail."))
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("For a department: its team, if it has one."),
    )
    outlet = models.ForeignKey(
        "accounts.ServiceOutlet",
        verbose_name=_("service outlet"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("For a service outlet: the outlet in the service network."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("responsible party")
        verbose_name_plural = _("responsible parties")
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "name_key"], name="parties_unique_name_per_kind"),
        ]

    def __str__(self) -> str:
        return self.label

    def save(self, *args: object, **kwargs: object) -> None:
        self.name_key = party_name_key(self.name)
        self.code = (self.code or "").strip().lower()
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def label(self) -> str:
        """The name in the reader's language (the English name on English pages, if given)."""
        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name

    def clean(self) -> None:
        """The admin's check: a name unique per kind as compared (the constraint names
        ``name_key``, a column no form edits, so Django's own check would skip it)."""
        self.name = " ".join((self.name or "").split())
        self.name_key = party_name_key(self.name)
        self.code = (self.code or "").strip().lower()
        if not self.name_key:
            raise ValidationError({"name": _("Give the party's name.")})
        same = ResponsibleParty.objects.filter(kind=self.kind, name_key=self.name_key).exclude(pk=self.pk)
        if same.exists():
            raise ValidationError({"name": _("A party of this kind with this name is already registered.")})


class PartyRegisterSettings(models.Model):
    """How the register is kept (a single row, edited in /admin/ by administrators; without one
    the defaults apply): ``only_registered`` — a responsibility may name only a party already in
    the register (a name it does not know is refused on its field) instead of registering it."""

    SINGLETON_PK = 1

    only_registered = models.BooleanField(
        _("only registered parties"),
        default=False,
        help_text=_(
            "When ticked, a responsibility (on a ticket, an appraisal or through the API) must name a party already in "
            "the register; a new name is refused. When not ticked, a new name is added to the register."
        ),
    )
    updated_at = models.DateTimeField(_("updated at"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("updated by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("register settings")
        verbose_name_plural = _("register settings")
        constraints = [models.CheckConstraint(condition=models.Q(pk=1), name="parties_register_settings_single")]

    def __str__(self) -> str:
        return str(_("Only registered parties") if self.only_registered else _("New names are registered"))
