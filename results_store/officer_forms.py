"""Forms of the officers' results pages: the list's filters, revoke, supersede, digitize.

Forms shape and check input; the services check again who may act and whether
the result's status allows it.
"""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from citizens.national_id import validate_national_id_format
from core.uploads import MEGABYTE, ContentCheckedFileField
from core.widgets import DateInput
from procedures.models import ResultType
from results_store import selectors, services
from results_store.constants import ResultStatus
from results_store.models import Result

REASON_MAX_LENGTH = 4000
CONTENT_MAX_LENGTH = 8000
SCAN_MAX_BYTES = 20 * MEGABYTE


def _reason_field(label):
    return forms.CharField(
        label=label,
        help_text=_("The holder and anyone who verifies the result will read it."),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": REASON_MAX_LENGTH}),
        error_messages={"required": _("Give the reason.")},
    )


def add_service_errors(form: forms.Form, error) -> None:
    """Show a service's ValidationError on the matching fields, the rest on top."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for name, messages in error.message_dict.items():
        form.add_error(name if name in form.fields else None, messages)


class ResultFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Number, holder's name or citizen ID number"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *ResultStatus.choices],
    )

    def filters(self) -> selectors.ResultFilters:
        """What the officer asked for; a field with an error is left out."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return selectors.ResultFilters(query=data.get("q") or "", status=data.get("status") or "")

    @property
    def is_filtered(self) -> bool:
        filters = self.filters()
        return bool(filters.query.strip() or filters.status)


class RevokeForm(forms.Form):
    prefix = "revoke"
    reason = _reason_field(_("Reason for revocation"))


class SupersedeForm(forms.Form):
    prefix = "supersede"
    replacement_number = forms.CharField(
        label=_("Number of the replacing result"),
        help_text=_("A result of the same type, issued by the same agency."),
        max_length=60,
        error_messages={"required": _("Give the number of the replacing result.")},
    )
    reason = _reason_field(_("Reason for replacing it"))

    def __init__(self, *args, result: Result, **kwargs):
        super().__init__(*args, **kwargs)
        self.result = result

    def clean_replacement_number(self) -> Result:
        number = self.cleaned_data["replacement_number"]
        replacement = selectors.replacement_for(self.result, number)
        if replacement is None:
            raise forms.ValidationError(
                _("This agency issued no other “%(type)s” numbered %(number)s."),
                params={"type": self.result.result_type.display_name, "number": number.strip()},
            )
        if replacement.status not in (ResultStatus.VALID, ResultStatus.PREPARING):
            raise forms.ValidationError(
                _("Result %(number)s is itself revoked or superseded; it cannot replace this one."),
                params={"number": replacement.number},
            )
        return replacement


class DigitizeForm(forms.Form):
    """An older paper result, entered by an officer of the agency that issued it."""

    agency = forms.ModelChoiceField(label=_("Issuing agency"), queryset=None)
    result_type = forms.ModelChoiceField(
        label=_("Result type"),
        queryset=ResultType.objects.none(),
        help_text=_("Only the results of procedures your agency handles."),
    )
    number = forms.CharField(
        label=_("Number on the paper result"),
        max_length=60,
        error_messages={"required": _("Copy the number printed on the paper result.")},
    )
    issued_on = forms.DateField(label=_("Date of issue"), widget=DateInput)
    valid_until = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=DateInput,
        help_text=_("Leave empty if the paper result shows no end date."),
    )
    holder_national_id = forms.CharField(
        label=_("Holder's citizen ID number"),
        max_length=12,
        validators=[validate_national_id_format],
        help_text=_(
            "The result reaches the wallet of the account with this number, "
            "now or when the holder creates one."
        ),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    holder_name = forms.CharField(label=_("Holder's full name"), max_length=200)
    content = forms.CharField(
        label=_("Content of the result"),
        max_length=CONTENT_MAX_LENGTH,
        help_text=_(
            "One “Label: value” per line, as printed on the paper, "
            "for example “Place of birth: Đà Nẵng”."
        ),
        widget=forms.Textarea(attrs={"rows": 8, "maxlength": CONTENT_MAX_LENGTH}),
    )
    scan = ContentCheckedFileField(
        label=_("Scan of the paper result"),
        max_bytes=SCAN_MAX_BYTES,
        help_text=_("PDF, JPG or PNG, at most 20 MB. It is kept with the digital result."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        agencies = selectors.issuing_agencies(user)
        self.fields["agency"].queryset = agencies
        self.fields["result_type"].queryset = selectors.result_types_issued_by(agencies)
        self.fields["agency"].label_from_instance = lambda agency: agency.display_name
        if len(agencies) == 1:
            self.fields["agency"].initial = agencies[0].pk
        self.fields["result_type"].label_from_instance = lambda result_type: (
            f"{result_type.display_name} ({result_type.code})"
        )

    def clean_agency(self):
        agency = self.cleaned_data["agency"]
        # The queryset already holds only the user's agencies; the rule itself
        # (an officer of the agency) is checked again in its one place.
        if not services.is_officer_of(self.user, agency):
            raise forms.ValidationError(
                _("Only an officer of the agency can digitize its results.")
            )
        return agency

    def clean_number(self) -> str:
        return " ".join(self.cleaned_data["number"].split())

    def clean_holder_name(self) -> str:
        return " ".join(self.cleaned_data["holder_name"].split())

    def clean_issued_on(self):
        issued_on = self.cleaned_data["issued_on"]
        if issued_on > timezone.localdate():
            raise forms.ValidationError(_("A paper result cannot be dated in the future."))
        return issued_on

    def clean_content(self) -> dict:
        content = services.content_from_lines(self.cleaned_data["content"])
        if not content:
            raise forms.ValidationError(_("Enter what the paper result states."))
        return content

    def clean(self):
        cleaned = super().clean()
        issued_on, valid_until = cleaned.get("issued_on"), cleaned.get("valid_until")
        if issued_on and valid_until and valid_until < issued_on:
            self.add_error("valid_until", _("The end of validity comes before the date of issue."))
        agency, result_type, number = (
            cleaned.get("agency"),
            cleaned.get("result_type"),
            cleaned.get("number"),
        )
        if agency and result_type and not selectors.agency_issues(agency, result_type):
            self.add_error(
                "result_type",
                forms.ValidationError(
                    _("%(agency)s handles no procedure that issues “%(type)s”."),
                    params={"agency": agency.display_name, "type": result_type.display_name},
                ),
            )
            return cleaned
        if (
            agency
            and result_type
            and number
            and Result.objects.filter(
                agency=agency, result_type=result_type, number=number
            ).exists()
        ):
            self.add_error(
                "number",
                forms.ValidationError(
                    _("This agency already has a “%(type)s” numbered %(number)s in the store."),
                    params={"type": result_type.display_name, "number": number},
                ),
            )
        return cleaned
