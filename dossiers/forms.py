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
from core.uploads import ContentCheckedFileField
from core.widgets import DateInput, QuickSelect
from dossiers.constants import DeliveryMethod
from dossiers.lookup import lookup_pin_clean
from dossiers.models import Dossier
from dossiers.selectors import filed_documents_by_component
from dossiers.services import DECLARATION_REFUSED, declaration_invalid_message
from procedures.constants import FormFieldType
from procedures.models import DocumentComponent, FormField


def _declaration_field(form_field: FormField) -> forms.Field:
    common = {
        # CatalogText labels and help texts reach BoundField as given, so that
        # includes/field.html can mark an untranslated one with lang="vi".
        "label": form_field.display_label,
        "help_text": form_field.display_help_text,
        "required": False,
    }
    kind = form_field.field_type
    if kind == FormFieldType.LONG_TEXT:
        field = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), **common)
    elif kind == FormFieldType.NUMBER:
        field = forms.DecimalField(
            max_digits=18,
            decimal_places=2,
            error_messages={"invalid": declaration_invalid_message(form_field)},
            **common,
        )
    elif kind == FormFieldType.DATE:
        field = forms.DateField(
            widget=DateInput(),
            error_messages={"invalid": declaration_invalid_message(form_field)},
            **common,
        )
    elif kind == FormFieldType.CHOICE:
        # The value stored is the Vietnamese choice in every language; only the label changes.
        choices = [("", "—"), *form_field.choice_options]
        field = forms.ChoiceField(choices=choices, widget=QuickSelect, **common)
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
        label=_("Where to file"),
        queryset=None,
        empty_label=None,
        widget=QuickSelect,
        error_messages={"required": _("Choose where to file")},
    )
    delivery_method = forms.ChoiceField(
        label=_("How do you want to receive the result?"),
        choices=DeliveryMethod.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how you want to receive the result")},
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

        attached = filed_documents_by_component(self.dossier)
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
        # The order of the page, so that the error summary lists errors as
        # the applicant meets the fields.
        document_names = []
        for entry in self.components:
            if entry["reuse"] is not None:
                document_names.append(entry["reuse"].name)
            document_names.append(entry["upload"].name)
        self.order_fields(
            [
                "agency",
                *(name for name, _key in self.form_field_names),
                *document_names,
                "delivery_method",
                "delivery_address",
            ]
        )

    def refresh_attached(self) -> None:
        """Show the documents as saved, once this request's uploads are stored."""
        attached = filed_documents_by_component(self.dossier)
        for entry in self.components:
            entry["attached"] = attached.get(entry["component"].pk)

    def add_completeness_errors(self, errors: dict) -> None:
        """What the dossier still lacks, on fields that have no error of their own yet.

        A field refused for what was typed (a bad file, a wrong number) keeps
        that error; every other missing answer is shown with it, in one round.
        """
        for name, messages in errors.items():
            if name in self.fields and self.has_error(name):
                continue
            self.add_service_errors({name: messages})

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


class DeclarationForm(forms.Form):
    """The applicant's commitment on the check-your-answers page, before submitting."""

    confirm = forms.BooleanField(
        label=_(
            "I declare that the information I have given is true and complete, and I am "
            "responsible before the law for what I have declared."
        ),
        error_messages={"required": DECLARATION_REFUSED},
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
