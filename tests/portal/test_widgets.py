"""Shared widgets: QuickSelect writes the same select as Django's, only faster."""

import pytest
from django import forms
from django.test.html import parse_html

from core.widgets import QuickSelect

CHOICES = [
    ("", "Tất cả"),
    ("a&b", "Sở <Tư pháp> & “Nội vụ”"),
    ("Phường", [("hc", "Hải Châu"), ("tk", "Thanh Khê")]),
    (7, "Xã Hòa Vang"),
]


class Both(forms.Form):
    django = forms.ChoiceField(choices=CHOICES, required=False, help_text="Chọn một")
    quick = forms.ChoiceField(
        choices=CHOICES, required=False, help_text="Chọn một", widget=QuickSelect
    )


@pytest.mark.parametrize("value", ["", "a&b", "tk", "7", "không có"])
def test_quick_select_renders_what_django_select_renders(value):
    form = Both({"django": value, "quick": value})

    django_html = str(form["django"]).replace("django", "FIELD")
    quick_html = str(form["quick"]).replace("quick", "FIELD")

    assert parse_html(quick_html) == parse_html(django_html)
    assert 'aria-describedby="id_quick_helptext' in str(form["quick"])


def test_quick_select_escapes_labels_and_values():
    html = str(Both({"quick": "a&b"})["quick"])

    assert '<option value="a&amp;b" selected>Sở &lt;Tư pháp&gt; &amp; “Nội vụ”</option>' in html
