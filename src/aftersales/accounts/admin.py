from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from aftersales.core.admin import AdministratorsMay, ConfigurationAdmin
from aftersales.core.i18n import join_list

from .effects import USER_BECAME_TECHNICIAN
from .models import Region, RegionArea, Role, ServiceOutlet, Team, User
from .offboarding import held, holdings_of
from .provinces import city_key, province_key, province_name
from .sessions import sign_out_everywhere
from .signals import security_event

# Django's permission fields: a superuser's alone (an administrator never grants them).
SUPERUSER_ONLY_FIELDS = frozenset({"is_superuser", "groups", "user_permissions"})
# What an administrator who is not a superuser does not change on their own account.
OWN_ACCOUNT_FIELDS = ("role", "data_scope", "team", "region", "is_active")


class UserForm(UserChangeForm):
    """The user's change form: unticking "Active" of someone who still holds work (open tickets,
    work orders, revisit calls, van stock, …) is refused, naming what they hold and linking to
    the staff page's "Hand over and deactivate", which moves the work first (else it would be
    stranded with nobody: docs/staff-handover.md). Someone who holds nothing is deactivated here."""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        person = self.instance
        if person.pk is not None and person.is_active and "is_active" in data and not data["is_active"]:
            holding = held(holdings_of(person))
            if holding:
                self.add_error("is_active", _holds_work(person, holding))
        return data


def _holds_work(person: User, holding: list[Any]) -> forms.ValidationError:
    items = join_list(gettext("%(label)s (%(count)d)") % {"label": h.label, "count": h.count} for h in holding)
    text = gettext("%(name)s still holds work: %(items)s. Deactivating here would leave it with nobody.") % {
        "name": person,
        "items": items,
    }
    url = reverse("accounts:staff_detail", args=[person.pk]) + "#offboard"
    return forms.ValidationError(
        format_html('{} <a href="{}">{}</a>', text, url, gettext("Hand over and deactivate")), code="holds_work"
    )


@admin.register(User)
class UserAdmin(ConfigurationAdmin, DjangoUserAdmin):
    """Users, roles, teams, regions and data scopes. ``is_staff`` follows the role (``User.save``).

    An administrator who is not a superuser (docs/decisions/0013-administration.md) manages every
    account but the superusers' (not listed, not found), never makes a superuser nor grants Django
    permissions (the fields are not on the form), does not change their own role, scope, team,
    region or activity, and deletes nobody (deactivate, or hand over on the staff pages). Someone
    who still holds work is not deactivated here: the form says what and links to the handover
    (``UserForm``)."""

    list_display = ("username", "display_name", "role", "data_scope", "team", "region", "is_active")
    list_filter = ("role", "data_scope", "team", "region", "is_active")
    search_fields = ("username", "display_name", "email", "phone")
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Aftersales"), {"fields": ("display_name", "role", "data_scope", "team", "region", "phone", "language")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Aftersales"), {"fields": ("display_name", "role", "data_scope", "team", "region")}),
    )
    form = UserForm
    actions = ["sign_out_everywhere", "reset_two_factor"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        users = super().get_queryset(request)
        return users if request.user.is_superuser else users.filter(is_superuser=False)

    def get_fieldsets(self, request: HttpRequest, obj: User | None = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        return [
            (name, {**options, "fields": tuple(f for f in options["fields"] if f not in SUPERUSER_ONLY_FIELDS)})
            for name, options in fieldsets
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None) -> Any:
        fields = [*super().get_readonly_fields(request, obj), "is_staff"]
        if not request.user.is_superuser:
            fields += ["last_login", "date_joined"]
            if obj is not None and obj.pk == request.user.pk:
                fields += OWN_ACCOUNT_FIELDS
        return fields

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        """Save; a user who becomes a technician here (added as one, or their role changed to it)
        gets a technician profile in the same transaction (``USER_BECAME_TECHNICIAN``)."""
        became_technician = obj.role == Role.TECHNICIAN and (not change or "role" in form.changed_data)
        super().save_model(request, obj, form, change)
        if became_technician:
            USER_BECAME_TECHNICIAN.send(user=obj, actor=request.user)

    def has_delete_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        return bool(request.user.is_superuser) and super().has_delete_permission(request, obj)

    @admin.action(description=_("Reset two-step sign-in (the user sets it up again, e.g. after a lost phone)"))
    def reset_two_factor(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            if TOTPDevice.objects.filter(user=user).delete()[0]:
                sign_out_everywhere(user=user, keep=request if user.pk == request.user.pk else None)
                security_event.send(sender=None, user=user, what="second_factor_off", actor=request.user)
        self.message_user(request, _("Two-step sign-in was reset for the selected users."))

    @admin.action(description=_("Sign out everywhere (end every session of the selected users)"))
    def sign_out_everywhere(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            sign_out_everywhere(user=user, keep=request if user.pk == request.user.pk else None)
            security_event.send(sender=None, user=user, what="signed_out_everywhere", actor=request.user)
        self.message_user(request, _("Every session of the selected users has ended."))


class RegionAreaForm(forms.ModelForm):
    """Names are checked and stored normalised (江苏 → 江苏省, 苏州市 → 苏州), so that two ways of
    writing one place are one row and the uniqueness checks see them as such."""

    class Meta:
        model = RegionArea
        fields = ("region", "province", "city")

    def clean_province(self) -> str:
        value = self.cleaned_data.get("province") or ""
        if not province_name(value):
            raise forms.ValidationError(_("Enter a province of China, e.g. 江苏, 江苏省 or Jiangsu."))
        return province_key(value)

    def clean_city(self) -> str:
        return city_key(self.cleaned_data.get("city") or "")


class RegionAreaInline(AdministratorsMay, admin.TabularInline):
    model = RegionArea
    form = RegionAreaForm
    fields = ("province", "city")
    extra = 1


def _search_terms(term: str) -> str:
    """A province typed as 江苏 or Jiangsu also finds the stored 江苏省."""
    words = term.split()
    return " ".join(province_name(word) or word for word in words)


@admin.register(Region)
class RegionAdmin(ConfigurationAdmin):
    list_display = ("code", "name", "parent", "area_list")
    search_fields = ("code", "name", "areas__province", "areas__city")
    inlines = (RegionAreaInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Region]:
        return super().get_queryset(request).select_related("parent").prefetch_related("areas")

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Region], search_term: str
    ) -> tuple[QuerySet[Region], bool]:
        return super().get_search_results(request, queryset, _search_terms(search_term))

    @admin.display(description=_("provinces and cities"))
    def area_list(self, obj: Region) -> str:
        return join_list(obj.areas.all()) or "—"  # "、" / ", " in the reader's language


@admin.register(RegionArea)
class RegionAreaAdmin(ConfigurationAdmin):
    """The whole table at a glance: which region serves each province and city."""

    form = RegionAreaForm
    list_display = ("province", "city", "region")
    list_display_links = ("province", "city")
    list_filter = ("region",)
    list_select_related = ("region",)
    search_fields = ("province", "city", "region__name", "region__code")
    ordering = ("province", "city")

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[RegionArea], search_term: str
    ) -> tuple[QuerySet[RegionArea], bool]:
        return super().get_search_results(request, queryset, _search_terms(search_term))


@admin.register(Team)
class TeamAdmin(ConfigurationAdmin):
    list_display = ("name", "region", "leader")
    list_filter = ("region",)


@admin.register(ServiceOutlet)
class ServiceOutletAdmin(ConfigurationAdmin):
    """For looking outlets up: they are created and changed on the outlet pages (/outlets/), where
    every change is audited."""

    list_display = ("code", "name", "kind", "team", "active", "contract_from", "contract_until")
    list_filter = ("kind", "active", "regions")
    list_select_related = ("team",)
    search_fields = ("code", "name", "company", "contact_name")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ServiceOutlet | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: ServiceOutlet | None = None) -> bool:
        return False


# Authenticator devices are managed by their owners (My account → Sign-in security) and reset by
# an administrator with the user list's action; django-otp's own device admin (untranslated, and
# showing secrets) is not offered.
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)
