from django.contrib import admin

from aftersales.core.admin import AuditedAdmin, ConfigurationAdmin

from .models import ProductCategory, ProductModel, ProductUnit, WarrantyPolicy


@admin.register(WarrantyPolicy)
class WarrantyPolicyAdmin(ConfigurationAdmin):
    list_display = ("name", "months", "basis", "covers_parts", "covers_labour")


@admin.register(ProductCategory)
class ProductCategoryAdmin(ConfigurationAdmin):
    list_display = ("code", "name", "name_en", "parent")


@admin.register(ProductModel)
class ProductModelAdmin(ConfigurationAdmin):
    list_display = ("code", "name", "category", "warranty_policy", "active")
    list_filter = ("category", "active")
    search_fields = ("code", "name")


@admin.register(ProductUnit)
class ProductUnitAdmin(AuditedAdmin):
    list_display = ("serial_number", "model", "batch", "factory", "production_date", "purchase_date", "sales_channel")
    list_filter = ("model__category", "sales_channel")
    search_fields = ("serial_number", "batch")
    raw_id_fields = ("customer", "model")
