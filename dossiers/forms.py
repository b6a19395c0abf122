"""The applicant's forms: the intake form built from the catalog, and the supplement form.

Every field here is optional at the form level: a draft keeps whatever was
typed. What a dossier needs before it can be submitted is decided in one place,
`dossiers.services.dossier_completeness_errors`, and its errors are shown on
these same fields.
"""

from datetime import date
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from citizens.national_id import validate_national_id_format
from citizens.selectors import reuse_for_procedure
from dossiers.constants import DeliveryMethod
from dossiers.lookup import lookup_pin_clean
from dossiers.models import Dossier
from portal.uploads import ContentCheckedFileField
from portal.widgets import DateInput, QuickSelect
from procedures.constants import FormFieldType
from procedures.models import DocumentComponent, FormField


def _declaration_field(form_field: FormField) -> forms.Field:
    common = {
        "label": form_field.display_label,
        "help_text": form_field.help_text,
        "required": False,
    }
    kind = form_field.field_type
    if kind == FormFieldType.LONG_TEXT:
        field = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), **common)
    elif kind == FormFieldType.NUMBER:
        field = forms.DecimalField(max_digits=18, decimal_places=2, **common)
    elif kind == FormFieldType.DATE:
        field = forms.DateField(widget=DateInput(), **common)
    elif kind == FormFieldType.CHOICE:
        choices = [("", "—"), *[(c, c) for c in form_field.choice_list]]
        field = forms.ChoiceField(choices=choices, **common)
    elif kind == FormFieldType.NATIONAL_ID:
        field = forms.CharField(
            max_length=12,
            validators=[validate_national_id_format],
            widget=forms.TextInput(attrs={"inputmode": "numeric"}),
            **common,
        )
    else:
        field = forms.CharField(max_length=500, **common)
    field.portal_required = form_field.is_required
    return field


def _stored(value):
    """Declaration values are kept as JSON: dates as ISO strings, numbers as text."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return value


def _component_upload_field(component: DocumentComponent) -> ContentCheckedFileField:
    field = ContentCheckedFileField(
        label=_("Upload a file"),
        required=False,
        allowed=component.format_list,
        max_bytes=component.max_size_mb * 1024 * 1024,
    )
    field.help_text = _("%(formats)s, up to %(size)s MB.") % {
        "formats": ", ".join(f.upper() for f in component.format_list),
        "size": component.max_size_mb,
    }
    return field


class ComponentDocumentsMixin:
    """What both forms do with their per-component upload and wallet fields."""

    def uploads(self) -> dict:
        return {
            entry["component"].pk: self.cleaned_data[entry["upload"].name]
            for entry in self.components
            if self.cleaned_data.get(entry["upload"].name)
        }

    def reused(self) -> dict:
        """Wallet items chosen, for components without a new upload in this request."""
        uploads = self.uploads()
        chosen = {}
        for entry in self.components:
            if entry["reuse"] is None or entry["component"].pk in uploads:
                continue
            item_pk = self.cleaned_data.get(entry["reuse"].name)
            if item_pk in entry["wallet_items"]:
                chosen[entry["component"].pk] = entry["wallet_items"][item_pk]
        return chosen

    def add_service_errors(self, errors: dict) -> None:
        for name, messages in errors.items():
            target = name if name in self.fields else None
            for message in messages:
                self.add_error(target, message)


class IntakeForm(ComponentDocumentsMixin, forms.Form):
    """The declaration, the agency, the delivery of the result and the documents."""

    agency = forms.ModelChoiceField(
        label=_("Where to file"), queryset=None, empty_label=None, widget=QuickSelect
    )
    delivery_method = forms.ChoiceField(
        label=_("How do you want to receive the result?"),
        choices=DeliveryMethod.choices,
        widget=forms.RadioSelect,
    )
    delivery_address = forms.CharField(
        label=_("Postal address for the result"), required=False, max_length=300
    )

    def __init__(self, *args, dossier: Dossier, **kwargs):
        self.dossier = dossier
        procedure = dossier.procedure
        reuse = reuse_for_procedure(user=dossier.applicant, procedure=procedure)
        initial = {
            "agency": dossier.agency_id,
            "delivery_method": dossier.delivery_method,
            "delivery_address": dossier.delivery_address or dossier.applicant.current_address,
        }
        for key, value in {**reuse.prefill, **dossier.declaration}.items():
            initial[f"field_{key}"] = value
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["agency"].queryset = procedure.agencies.filter(is_active=True)
        self.fields["agency"].label_from_instance = lambda agency: agency.display_name

        self.form_field_names = []
        for form_field in procedure.form_fields.all():
            name = f"field_{form_field.key}"
            self.fields[name] = _declaration_field(form_field)
            self.form_field_names.append((name, form_field.key))
        self.declaration_fields = [self[name] for name, _key in self.form_field_names]

        attached = {}
        for document in dossier.documents.filter(round=0).select_related("wallet_item"):
            attached[document.component_id] = document
        self.components = []
        for offer in reuse.components:
            component = offer.component
            upload_name = f"component_{component.pk}"
            self.fields[upload_name] = _component_upload_field(component)
            self.fields[upload_name].portal_required = component.is_required
            reuse_name = f"reuse_{component.pk}"
            if offer.items:
                current = attached.get(component.pk)
                self.fields[reuse_name] = forms.TypedChoiceField(
                    label=_("From your wallet"),
                    required=False,
                    coerce=int,
                    empty_value=None,
                    choices=[
                        ("", _("Do not use the wallet")),
                        *[(item.pk, f"{item.title} ({item.type_label})") for item in offer.items],
                    ],
                    widget=forms.RadioSelect,
                    initial=current.wallet_item_id if current and current.wallet_item_id else "",
                )
            self.components.append(
                {
                    "component": component,
                    "upload": self[upload_name],
                    "reuse": self[reuse_name] if reuse_name in self.fields else None,
                    "attached": attached.get(component.pk),
                    "wallet_items": {item.pk: item for item in offer.items},
                }
            )

    def declaration_values(self) -> dict:
        """Valid declaration values only; invalid ones stay in the re-rendered form."""
        values = {}
        for name, key in self.form_field_names:
            if name in self.cleaned_data and not self.has_error(name):
                values[key] = _stored(self.cleaned_data[name])
        return values


class SupplementForm(ComponentDocumentsMixin, forms.Form):
    """The documents a supplement request asked for, and a note to the officer."""

    note = forms.CharField(
        label=_("Note to the officer (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, dossier: Dossier, components: list[DocumentComponent], **kwargs):
        super().__init__(*args, **kwargs)
        reuse = reuse_for_procedure(user=dossier.applicant, procedure=dossier.procedure)
        offers = {offer.component.pk: offer.items for offer in reuse.components}
        self.components = []
        for component in components:
            upload_name = f"component_{component.pk}"
            self.fields[upload_name] = _component_upload_field(component)
            items = offers.get(component.pk, [])
            reuse_name = f"reuse_{component.pk}"
            if items:
                self.fields[reuse_name] = forms.TypedChoiceField(
                    label=_("From your wallet"),
                    required=False,
                    coerce=int,
                    empty_value=None,
                    choices=[
                        ("", _("Do not use the wallet")),
                        *[(item.pk, f"{item.title} ({item.type_label})") for item in items],
                    ],
                    widget=forms.RadioSelect,
                )
            self.components.append(
                {
                    "component": component,
                    "upload": self[upload_name],
                    "reuse": self[reuse_name] if items else None,
                    "wallet_items": {item.pk: item for item in items},
                }
            )


class RatingForm(forms.Form):
    """The applicant's rating of a completed dossier: a score from 1 to 5 and a comment."""

    SCORES = [
        (5, _("5 – Very satisfied")),
        (4, _("4 – Satisfied")),
        (3, _("3 – Neither satisfied nor dissatisfied")),
        (2, _("2 – Dissatisfied")),
        (1, _("1 – Very dissatisfied")),
    ]

    score = forms.TypedChoiceField(
        label=_("How satisfied are you with how your dossier was handled?"),
        choices=SCORES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a score from 1 to 5.")},
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        help_text=_("What went well, what could be better. Officers and supervisors read it."),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class LookupForm(forms.Form):
    """A dossier code and the lookup PIN printed on its receipt."""

    code = forms.CharField(
        label=_("Dossier code"),
        max_length=60,
        widget=forms.TextInput(
            attrs={"placeholder": "000.01.00.H15-261123-0001", "autocomplete": "off"}
        ),
    )
    pin = forms.CharField(
        label=_("Lookup PIN"),
        max_length=20,
        help_text=_("The 8 digits printed on your receipt, under the QR code."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def clean_code(self):
        return self.cleaned_data["code"].strip()

    def clean_pin(self):
        pin = lookup_pin_clean(self.cleaned_data["pin"])
        if pin is None:
            raise forms.ValidationError(
                _("The lookup PIN is the 8 digits printed on your receipt."), code="invalid"
            )
        return pin
