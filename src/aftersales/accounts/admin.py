from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Region, Team, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
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


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "parent")
    search_fields = ("code", "name")


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "region", "leader")
    list_filter = ("region",)
