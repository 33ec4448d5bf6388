from django.contrib import admin

from .models import Address, Contact, Customer


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
