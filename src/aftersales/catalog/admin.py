from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from aftersales.core.admin import AdministratorsMay, AuditedAdmin, ConfigurationAdmin

from .models import BatchComponent, BatchSource, ProductCategory, ProductionBatch, ProductModel, ProductUnit, WarrantyPolicy


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


class BatchComponentInline(AdministratorsMay, admin.TabularInline):
    model = BatchComponent
    extra = 1
    fields = ("component", "supplier")


@admin.register(ProductionBatch)
class ProductionBatchAdmin(ConfigurationAdmin):
    """The production register: a batch saved here is the register's (it wins over what the
    serial units suggest, ``catalog.services.production_batches_infer``)."""

    list_display = ("batch", "model", "factory", "production_month", "source", "updated_at")
    list_filter = ("source", "factory")
    search_fields = ("batch", "factory", "components__supplier", "components__component")
    raw_id_fields = ("model",)
    readonly_fields = ("source", "updated_at")
    inlines = (BatchComponentInline,)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        obj.source = BatchSource.REGISTER
        if obj.production_month is not None:
            obj.production_month = obj.production_month.replace(day=1)
        super().save_model(request, obj, form, change)
