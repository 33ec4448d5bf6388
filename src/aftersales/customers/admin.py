from typing import Any

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from aftersales.audit.services import audit_record
from aftersales.core.admin import AuditedAdmin
from aftersales.core.errors import ValidationFailed

from .audit_actions import CustomerAudit
from .models import Address, Contact, Customer
from .phones import PhoneFormField, normalize_phone
from .services import customer_set_external_code, customer_set_tier

# The bouncing mark's fields: changed in the form by hand, they are kept as entered.
BOUNCE_FIELDS = frozenset({"email_bounced_at", "email_bounce_reason"})


class PhoneFieldsMixin:
    """Phone fields accept 15983067670, 159 8306 7670 or +86…, are stored in E.164 and shown in
    the national format (``customers.phones.PhoneFormField``)."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):  # type: ignore[no-untyped-def]
        if db_field.name == "phone":
            return PhoneFormField(required=not db_field.blank, label=db_field.verbose_name.capitalize())
        return super().formfield_for_dbfield(db_field, request, **kwargs)  # type: ignore[misc]


class AddressInline(admin.TabularInline):
    model = Address
    extra = 0


class ContactInline(PhoneFieldsMixin, admin.TabularInline):
    model = Contact
    extra = 0


@admin.register(Customer)
class CustomerAdmin(PhoneFieldsMixin, AuditedAdmin):
    list_display = ("name", "external_code", "kind", "phone_masked", "email", "tier", "region", "created_at")
    list_filter = ("kind", "tier", "region")
    search_fields = ("name", "external_code", "phone", "email")
    inlines = [ContactInline, AddressInline]
    raw_id_fields = ("user",)

    @admin.display(description=_("phone"), ordering="phone")
    def phone_masked(self, obj: Customer) -> str:
        return obj.masked_phone

    def get_search_results(self, request, queryset, search_term):  # type: ignore[no-untyped-def]
        # "159 8306 7670" finds the customer stored as +8615983067670.
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        phone: Any = None
        try:
            phone = normalize_phone(search_term) if search_term.strip() else None
        except ValidationFailed:
            phone = None
        if phone:
            results |= queryset.filter(phone=phone)
        return results, may_have_duplicates

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        # A tier change goes through the service so open tickets' SLA targets follow it; an
        # external code change so it is checked and audited (the form already refused another
        # customer's code on the field, through the model's unique constraint).
        new_tier, new_code = obj.tier, obj.external_code.strip()
        # A new e-mail address takes off the mark of the bouncing one, as through the services
        # (``services.bump``), audited the same way with the administrator as the actor.
        bounced_at = obj.email_bounced_at
        clear_bounce = (
            change and "email" in form.changed_data and bounced_at is not None and not BOUNCE_FIELDS & set(form.changed_data)
        )
        if clear_bounce:
            obj.email_bounced_at, obj.email_bounce_reason = None, ""
        if change and "tier" in form.changed_data:
            obj.tier = form.initial["tier"]
        if change and "external_code" in form.changed_data:
            obj.external_code = form.initial["external_code"]
        super().save_model(request, obj, form, change)
        if clear_bounce:
            audit_record(
                action=CustomerAudit.EMAIL_BOUNCE_CLEARED,
                obj=obj,
                actor=request.user,
                changes={"cause": "email_changed", "email_bounced_at": [bounced_at.isoformat(), None]},
            )
        if change and "tier" in form.changed_data:
            customer_set_tier(customer=obj, tier=new_tier, actor=request.user)
        if change and "external_code" in form.changed_data:
            customer_set_external_code(customer=obj, code=new_code, actor=request.user)
