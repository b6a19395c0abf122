"""Admin for the catalog: a whole procedure is built on one page.

Every text citizens read has an English twin shown on the same row as the
Vietnamese wording, so that a translator sees both side by side.
"""

from django import forms
from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from procedures.constants import PersonalDocumentType
from procedures.models import (
    Agency,
    CalendarException,
    DocumentComponent,
    Field,
    FormField,
    LegalBasis,
    OfficeHours,
    Procedure,
    ResultType,
)


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "level", "kind", "parent", "is_active")
    list_filter = ("level", "kind", "is_active")
    search_fields = ("name", "name_en", "code", "short_name")
    autocomplete_fields = ("parent",)
    fields = (
        ("name", "name_en"),
        ("code", "short_name"),
        ("level", "kind"),
        "parent",
        "address",
        ("phone", "email"),
        "is_active",
    )
    list_select_related = ("parent",)


@admin.register(Field)
class FieldAdmin(admin.ModelAdmin):
    list_display = ("name", "name_en", "code", "procedure_count")
    search_fields = ("name", "name_en", "code")
    prepopulated_fields = {"code": ("name_en",)}
    fields = (("name", "name_en"), "code")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_procedure_count=Count("procedures"))

    @admin.display(description=_("procedures"), ordering="_procedure_count")
    def procedure_count(self, obj):
        return obj._procedure_count


@admin.register(ResultType)
class ResultTypeAdmin(admin.ModelAdmin):
    list_display = ("name", "name_en", "code", "validity_months")
    search_fields = ("name", "name_en", "code")
    fields = (("name", "name_en"), "code", "validity_months")


class DocumentComponentForm(forms.ModelForm):
    document_types = forms.MultipleChoiceField(
        label=_("personal document types that satisfy it"),
        choices=PersonalDocumentType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = DocumentComponent
        fields = (
            "name",
            "name_en",
            "is_required",
            "copies",
            "copies_en",
            "position",
            "note",
            "note_en",
            "accepted_formats",
            "max_size_mb",
            "template_file",
            "document_types",
            "satisfied_by",
        )


class DocumentComponentInline(admin.StackedInline):
    model = DocumentComponent
    form = DocumentComponentForm
    extra = 0
    fields = (
        ("name", "name_en"),
        ("is_required", "position"),
        ("copies", "copies_en"),
        ("note", "note_en"),
        ("accepted_formats", "max_size_mb"),
        "template_file",
        "document_types",
        "satisfied_by",
    )


class FormFieldInline(admin.StackedInline):
    # Stacked, not tabular: with the English twins a row would be too wide to read.
    model = FormField
    extra = 0
    fields = (
        ("position", "key", "field_type", "is_required", "prefill_source"),
        ("label", "label_en"),
        ("help_text", "help_text_en"),
        ("choices", "choices_en"),
    )


class LegalBasisInline(admin.StackedInline):
    # Stacked: a tabular inline labels its inputs only by the column headers,
    # which screen readers do not announce (axe: label), and drops their help.
    model = LegalBasis
    extra = 0
    fields = ("position", "number", "title", "title_en")


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "name",
        "field",
        "level",
        "service_level",
        "processing_time",
        "time_unit",
        "fee_vnd",
        "fee_online_vnd",
        "is_active",
    )
    list_display_links = ("code", "name")
    list_filter = ("is_active", "level", "service_level", "kind", "field", "agencies")
    list_select_related = ("field",)
    search_fields = ("code", "name", "name_en")
    # A plain select for the field (a few dozen): the autocomplete widget
    # renders a required select without its empty choice, which is invalid HTML.
    # Plain labelled multiple selects: Django's filter_horizontal widget gives
    # aria-label to a bare span and the autocomplete one leaves its search box
    # unlabelled, both serious for axe (docs/adr/0012).
    list_per_page = 50
    save_on_top = True
    inlines = (DocumentComponentInline, FormFieldInline, LegalBasisInline)
    fieldsets = (
        (None, {"fields": ("code", ("name", "name_en"), "field", "is_active")}),
        (
            _("Who handles it"),
            {
                "fields": (
                    "level",
                    "agencies",
                    "kind",
                    "service_level",
                    ("applicants", "applicants_en"),
                )
            },
        ),
        (
            _("Time and fees"),
            {
                "fields": (
                    ("processing_time", "time_unit", "same_day"),
                    "online_reduction_percent",
                    "time_note",
                    ("fee_vnd", "fee_online_vnd"),
                    "fee_note",
                )
            },
        ),
        (
            _("Result and steps"),
            {
                "fields": (
                    "result_types",
                    ("steps", "steps_en"),
                    ("conditions", "conditions_en"),
                )
            },
        ),
    )


@admin.register(CalendarException)
class CalendarExceptionAdmin(admin.ModelAdmin):
    list_display = ("date", "kind", "description")
    list_filter = ("kind",)
    date_hierarchy = "date"
    search_fields = ("description",)


@admin.register(OfficeHours)
class OfficeHoursAdmin(admin.ModelAdmin):
    list_display = ("weekday", "opens", "closes")
    list_filter = ("weekday",)
