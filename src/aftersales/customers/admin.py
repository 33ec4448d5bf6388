from django.contrib import admin

from .models import Address, Contact, Customer
from .services import customer_set_tier


class AddressInline(admin.TabularInline):
    model = Address
    extra = 0


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "masked_phone", "email", "tier", "region", "created_at")
    list_filter = ("kind", "tier", "region")
    search_fields = ("name", "phone", "email")
    inlines = [ContactInline, AddressInline]
    raw_id_fields = ("user",)

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        # A tier change goes through the service so open tickets' SLA targets follow it.
        if change and "tier" in form.changed_data:
            new_tier = obj.tier
            obj.tier = form.initial["tier"]
            super().save_model(request, obj, form, change)
            customer_set_tier(customer=obj, tier=new_tier, actor=request.user)
            return
        super().save_model(request, obj, form, change)
