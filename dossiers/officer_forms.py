"""Forms of the officer pages: the queue's filters and one form per workflow action.

Each action form knows its service call (`perform`); the services check again
who may act and whether the state allows it, so a form only shapes input.
Action forms are prefixed with their action, because several sit on one page.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.widgets import DateInput
from dossiers import selectors, services
from dossiers.constants import Channel
from dossiers.selectors import QueueFilters
from results_store import services as result_services

REASON_MAX_LENGTH = 4000


class QueueFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Code or applicant's name"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    # Typed, not picked from a list: a ward handles over a thousand procedures,
    # too many to scroll through (and to render on every queue page).
    procedure = forms.CharField(
        label=_("Procedure"),
        help_text=_("Its code, such as 1.001193, or words of its name."),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    channel = forms.ChoiceField(
        label=_("Channel"),
        required=False,
        choices=[("", _("All channels")), *Channel.choices],
    )
    submitted_from = forms.DateField(label=_("Submitted from"), required=False, widget=DateInput)
    submitted_to = forms.DateField(label=_("Submitted until"), required=False, widget=DateInput)

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.agency = agency

    def clean_procedure(self):
        text = " ".join(self.cleaned_data["procedure"].split())
        if text and not selectors.agency_procedures_matching(self.agency, text).exists():
            raise forms.ValidationError(
                _("No procedure of this agency matches “%(text)s”."),
                code="no_procedure",
                params={"text": text},
            )
        return text

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("submitted_from"), cleaned.get("submitted_to")
        if start and end and start > end:
            self.add_error("submitted_to", _("The end date comes before the start date."))
        return cleaned

    def filters(self) -> QueueFilters:
        """What the officer asked for; a field with an error is left out, not guessed."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return QueueFilters(
            procedure=data.get("procedure") or "",
            channel=data.get("channel") or "",
            submitted_from=data.get("submitted_from"),
            submitted_to=data.get("submitted_to"),
            query=data.get("q") or "",
        )

    @property
    def has_extra_filters(self) -> bool:
        """Anything besides the search words, so the template shows those filters open."""
        filters = self.filters()
        return any(
            [filters.procedure, filters.channel, filters.submitted_from, filters.submitted_to]
        )

    @property
    def is_filtered(self) -> bool:
        return self.has_extra_filters or bool(self.filters().query.strip())


def _text_area(rows=4):
    return forms.Textarea(attrs={"rows": rows, "maxlength": REASON_MAX_LENGTH})


class ActionForm(forms.Form):
    action = ""
    title = ""
    button = ""
    help = ""
    # Formatted with the dossier's code.
    success_message = ""

    def __init__(self, *args, dossier, **kwargs):
        kwargs.setdefault("prefix", self.action)
        super().__init__(*args, **kwargs)
        self.dossier = dossier

    def perform(self, *, actor):
        raise NotImplementedError

    def add_service_errors(self, error) -> None:
        """Show a service's ValidationError on the matching fields, the rest on top."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error.messages)
            return
        for name, messages in error.message_dict.items():
            self.add_error(name if name in self.fields else None, messages)


class ReceiveForm(ActionForm):
    action = "receive"
    success_message = _("Dossier %(code)s was received. Its processing time has started.")
    title = _("Receive the dossier")
    button = _("Receive")
    help = _("The dossier is complete and valid. Its processing time starts now.")

    def perform(self, *, actor):
        return services.dossier_receive(dossier=self.dossier, actor=actor)


class RejectForm(ActionForm):
    action = "reject"
    success_message = _("Dossier %(code)s was rejected. The applicant will be told why.")
    title = _("Reject the dossier")
    button = _("Reject")
    help = _("The dossier cannot be processed. The applicant is told why.")

    reason = forms.CharField(
        label=_("Reason for rejection"),
        help_text=_("The applicant will read it."),
        max_length=REASON_MAX_LENGTH,
        widget=_text_area(),
    )

    def perform(self, *, actor):
        return services.dossier_reject(
            dossier=self.dossier, actor=actor, reason=self.cleaned_data["reason"]
        )


class RequestSupplementForm(ActionForm):
    action = "request_supplement"
    success_message = _("The applicant of dossier %(code)s was asked for the documents.")
    title = _("Request a supplement")
    button = _("Request the documents")
    help = _("Documents are missing or must be corrected. The processing time stops.")

    components = forms.ModelMultipleChoiceField(
        label=_("Documents the applicant must supply"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose the documents the applicant must supply.")},
    )
    reason = forms.CharField(
        label=_("What is missing or wrong"),
        help_text=_("The applicant will read it."),
        max_length=REASON_MAX_LENGTH,
        widget=_text_area(),
    )

    def __init__(self, *args, dossier, **kwargs):
        super().__init__(*args, dossier=dossier, **kwargs)
        self.fields["components"].queryset = dossier.procedure.components.all()
        self.fields["components"].label_from_instance = lambda c: c.display_name

    def perform(self, *, actor):
        return services.dossier_request_supplement(
            dossier=self.dossier,
            actor=actor,
            reason=self.cleaned_data["reason"],
            components=self.cleaned_data["components"],
        )


class CompleteForm(ActionForm):
    action = "complete"
    success_message = _("Dossier %(code)s was completed.")
    title = _("Complete the dossier")
    button = _("Complete")
    help = _("The result is ready. Record the outcome the applicant will see.")

    outcome = forms.CharField(
        label=_("Outcome"),
        help_text=_("The applicant will read it."),
        max_length=REASON_MAX_LENGTH,
        widget=_text_area(),
    )
    result_type = forms.ModelChoiceField(
        label=_("Digital result to issue"), queryset=None, required=False
    )
    result_number = forms.CharField(
        label=_("Number of the result"),
        required=False,
        max_length=60,
        help_text=_("Leave empty to number it automatically."),
    )
    valid_until = forms.DateField(label=_("Valid until"), required=False, widget=DateInput)
    result_content = forms.CharField(
        label=_("Content of the result"),
        required=False,
        help_text=_(
            "One “Label: value” per line, printed on the signed result. Never put the "
            "applicant's phone, email or contact address here: anyone who verifies the "
            "result reads it."
        ),
        widget=forms.Textarea(attrs={"rows": 8}),
    )

    def __init__(self, *args, dossier, **kwargs):
        super().__init__(*args, dossier=dossier, **kwargs)
        result_types = dossier.procedure.result_types.all()
        field = self.fields["result_type"]
        field.queryset = result_types
        field.label_from_instance = lambda result_type: result_type.display_name
        field.empty_label = _("No digital result")
        field.initial = result_types[0].pk if result_types else None
        # The first result type's template, filled from the declaration; the
        # officer corrects it and checks it with the preview before completing.
        self.fields["result_content"].initial = result_services.content_as_lines(
            selectors.dossier_result_content(dossier, result_types[0] if result_types else None)
        )

    def preview(self) -> bytes | None:
        """The result's PDF as it would be issued, if a result type and content were given."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        if not data.get("result_type") or not (data.get("result_content") or "").strip():
            return None
        return result_services.result_preview_pdf(
            result_type=data["result_type"],
            agency=self.dossier.agency,
            holder_national_id=self.dossier.applicant.national_id,
            holder_name=self.dossier.applicant_name or self.dossier.applicant.get_full_name(),
            number=(data.get("result_number") or "").strip(),
            valid_until=data.get("valid_until"),
            data=result_services.content_from_lines(data["result_content"]),
        )

    def perform(self, *, actor):
        data = self.cleaned_data
        return services.dossier_complete(
            dossier=self.dossier,
            actor=actor,
            outcome=data["outcome"],
            result_type=data["result_type"],
            result_number=data["result_number"].strip(),
            valid_until=data["valid_until"],
            result_content=result_services.content_from_lines(data["result_content"]),
        )


ACTION_FORMS: dict[str, type[ActionForm]] = {
    form.action: form for form in (ReceiveForm, RequestSupplementForm, RejectForm, CompleteForm)
}


class DateTimeInput(forms.DateTimeInput):
    """A native date and time picker; the value travels as ISO 8601 in local time."""

    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class ApologyForm(ActionForm):
    """The apology with a new appointment: not a transition, so not in ACTION_FORMS.

    It posts to its own view (`dossiers:officer_apology`); the dossier keeps
    its state and its original due date.
    """

    action = "apologize"
    success_message = _(
        "The apology and the new appointment were sent to the applicant of dossier %(code)s."
    )
    title = _("Apologize and set a new appointment")
    button = _("Send the apology")
    help = _(
        "The result will not be ready on time. The applicant receives an apology letter "
        "with the reason and the new appointment. The dossier still counts as late."
    )

    reason = forms.CharField(
        label=_("Reason for the delay"),
        help_text=_("The applicant will read it."),
        max_length=REASON_MAX_LENGTH,
        widget=_text_area(),
    )
    new_due_at = forms.DateTimeField(
        label=_("New appointment"),
        help_text=_("During office hours on a working day, later than the current appointment."),
        widget=DateTimeInput(),
    )

    def perform(self, *, actor):
        return services.dossier_apologize(
            dossier=self.dossier,
            actor=actor,
            reason=self.cleaned_data["reason"],
            new_due_at=self.cleaned_data["new_due_at"],
        )
