from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from aftersales.core.admin import AuditedAdmin, ConfigurationAdmin

from .event_text import event_actor, event_text
from .models import (
    ApprovalRule,
    AssignmentRule,
    Attachment,
    StaffAbsence,
    StaffAvailability,
    StaffSkill,
    Ticket,
    TicketCategory,
    TicketEvent,
)


@admin.register(TicketCategory)
class TicketCategoryAdmin(ConfigurationAdmin):
    list_display = ("code", "name", "name_en", "position", "active")
    list_editable = ("position", "active")


class TicketEventInline(admin.TabularInline):
    model = TicketEvent
    extra = 0
    fields = ("created_at", "kind", "who", "public", "said")
    readonly_fields = fields
    can_delete = False

    # In the reader's language (tickets.event_text): the system's words and its actor codes.
    @admin.display(description=_("actor"))
    def who(self, obj: TicketEvent) -> str:
        return event_actor(obj)

    @admin.display(description=_("text"))
    def said(self, obj: TicketEvent) -> str:
        return event_text(obj)

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Ticket)
class TicketAdmin(AuditedAdmin):
    """Read-mostly: changes to a ticket go through its services (pages and API), never here."""

    list_display = ("number", "title", "status", "priority", "channel", "category", "assignee", "created_at", "due_at")
    list_filter = ("status", "priority", "channel", "request_type", "category")
    search_fields = ("number", "title")
    raw_id_fields = (
        "customer",
        "product_unit",
        "product_model",
        "assignee",
        "created_by",
        "merged_into",
        "team",
        "region",
        "category",
    )
    readonly_fields = [f.name for f in Ticket._meta.fields]
    inlines = [TicketEventInline]
    show_full_result_count = False

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Attachment)
class AttachmentAdmin(AuditedAdmin):
    list_display = ("original_name", "ticket", "content_type", "size", "created_at")
    raw_id_fields = ("ticket", "event", "uploaded_by")
    readonly_fields = ("sha256", "content_type", "size")


# --- Assignment: rules, skills, availability, absences (docs/assignment.md) ---------------------


@admin.register(AssignmentRule)
class AssignmentRuleAdmin(ConfigurationAdmin):
    """The automatic assignment rules: tried in order, the first that matches with somebody
    available chooses (saving one clears the rules' cache)."""

    list_display = ("name", "position", "active", "region", "category", "channel", "request_type", "team", "method")
    list_editable = ("position", "active")
    list_filter = ("active", "method", "team", "region")
    search_fields = ("name",)
    readonly_fields = ("last_assignee", "last_assigned_at")
    fieldsets = (
        (None, {"fields": ("name", "active", "position")}),
        (_("Tickets it applies to"), {"fields": ("region", "category", "channel", "request_type")}),
        (_("Who gets them"), {"fields": ("team", "members_of_ticket_region", "method")}),
        (_("Round robin"), {"fields": ("last_assignee", "last_assigned_at")}),
    )


@admin.register(StaffSkill)
class StaffSkillAdmin(ConfigurationAdmin):
    list_display = ("user", "category", "product_category")
    list_filter = ("category", "product_category")
    search_fields = ("user__username", "user__display_name")
    autocomplete_fields = ("user",)


@admin.register(StaffAvailability)
class StaffAvailabilityAdmin(ConfigurationAdmin):
    list_display = ("user", "accepts_new_tickets", "max_open_tickets")
    list_editable = ("accepts_new_tickets", "max_open_tickets")
    list_filter = ("accepts_new_tickets",)
    search_fields = ("user__username", "user__display_name")
    autocomplete_fields = ("user",)


@admin.register(StaffAbsence)
class StaffAbsenceAdmin(ConfigurationAdmin):
    list_display = ("user", "starts_at", "ends_at", "reason")
    list_filter = ("starts_at",)
    search_fields = ("user__username", "user__display_name", "reason")
    autocomplete_fields = ("user",)
    date_hierarchy = "starts_at"


# --- Approval thresholds: when a plan needs a leader's approval (docs/process.md) -------------


class ApprovalRuleForm(forms.ModelForm):
    """An approval threshold, checked before it is saved: a sensible amount, and no second
    active rule with the same measure, amount and approver."""

    class Meta:
        model = ApprovalRule
        fields = ("name", "measure_kind", "min_amount", "approver_role", "active")
        help_texts = {
            "measure_kind": _(
                "A plan with a measure of this kind and at least the minimum amount needs approval. "
                "Empty: the plan's total cost budget is compared with the minimum amount."
            ),
            "min_amount": _("In CNY. 0 with no measure: every plan needs approval."),
            "approver_role": _("An administrator's approval is needed when any matching rule says so."),
        }

    def clean_name(self) -> str:
        name = (self.cleaned_data.get("name") or "").strip()
        if not name:
            raise forms.ValidationError(_("Give the rule a name the approvers will recognise."))
        return name

    def clean_min_amount(self) -> object:
        amount = self.cleaned_data.get("min_amount")
        if amount is not None and amount < 0:
            raise forms.ValidationError(_("The minimum amount cannot be negative."))
        return amount

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("active") and data.get("min_amount") is not None:
            twins = ApprovalRule.objects.filter(
                active=True,
                measure_kind=data.get("measure_kind") or "",
                min_amount=data["min_amount"],
                approver_role=data.get("approver_role"),
            )
            if self.instance.pk is not None:
                twins = twins.exclude(pk=self.instance.pk)
            twin = twins.first()
            if twin is not None:
                raise forms.ValidationError(
                    _("The active rule “%(name)s” already asks for this approval; change or deactivate it instead.")
                    % {"name": twin.name}
                )
        return data


@admin.register(ApprovalRule)
class ApprovalRuleAdmin(ConfigurationAdmin):
    """Approval thresholds (SPEC §2.6): every active rule is checked when a plan is submitted."""

    form = ApprovalRuleForm
    list_display = ("name", "applies_to", "min_amount", "approver_role", "active")
    list_display_links = ("name",)
    list_editable = ("active",)
    list_filter = ("active", "approver_role", "measure_kind")
    search_fields = ("name",)
    ordering = ("measure_kind", "min_amount", "id")

    @admin.display(description=_("applies to"), ordering="measure_kind")
    def applies_to(self, rule: ApprovalRule) -> str:
        if rule.measure_kind:
            return str(_("A measure: %(kind)s") % {"kind": rule.get_measure_kind_display()})
        return str(_("The plan's total cost budget"))
