from django import forms
from django.utils.translation import gettext_lazy as _

from core.widgets import QuickSelect
from procedures.constants import AdministrativeLevel, ServiceLevel
from procedures.selectors import catalog_filter_choices


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
        widget=QuickSelect,
        required=False,
        choices=[("", _("All levels")), *AdministrativeLevel.choices],
    )
    agency = forms.ChoiceField(label=_("Agency"), widget=QuickSelect, required=False)
    field = forms.ChoiceField(label=_("Field"), widget=QuickSelect, required=False)
    service_level = forms.ChoiceField(
        label=_("Online service"),
        widget=QuickSelect,
        required=False,
        choices=[("", _("Any")), *ServiceLevel.choices],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = catalog_filter_choices()
        self.fields["agency"].choices = [("", _("All agencies")), *choices["agencies"]]
        self.fields["field"].choices = [("", _("All fields")), *choices["fields"]]

    def filters(self) -> dict:
        """The cleaned filters, or none at all when the query string is malformed."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "query": data["q"],
            "level": data["level"],
            "agency_code": data["agency"],
            "field_code": data["field"],
            "service_level": data["service_level"],
        }
