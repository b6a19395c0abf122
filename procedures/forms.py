from django import forms
from django.utils.translation import gettext_lazy as _

from procedures.constants import AdministrativeLevel, ServiceLevel
from procedures.models import Agency, Field
from procedures.selectors import agencies_handling_procedures


class CatalogFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search procedures"),
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("e.g. dang ky khai sinh")}
        ),
    )
    level = forms.ChoiceField(
        label=_("Level"),
        required=False,
        choices=[("", _("All levels")), *AdministrativeLevel.choices],
    )
    agency = forms.ModelChoiceField(
        label=_("Agency"),
        required=False,
        queryset=Agency.objects.none(),
        empty_label=_("All agencies"),
    )
    field = forms.ModelChoiceField(
        label=_("Field"),
        required=False,
        queryset=Field.objects.order_by("name"),
        empty_label=_("All fields"),
        to_field_name="code",
    )
    service_level = forms.ChoiceField(
        label=_("Online service"),
        required=False,
        choices=[("", _("Any")), *ServiceLevel.choices],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies_handling_procedures()
        self.fields["agency"].to_field_name = "code"
        self.fields["agency"].label_from_instance = lambda a: a.display_name
        self.fields["field"].label_from_instance = lambda f: f.display_name

    def filters(self) -> dict:
        """The cleaned filters, or none at all when the query string is malformed."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "query": data["q"],
            "level": data["level"],
            "agency": data["agency"],
            "field": data["field"],
            "service_level": data["service_level"],
        }
