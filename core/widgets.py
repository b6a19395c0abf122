"""Form widgets shared by the apps."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import escape
from django.utils.safestring import mark_safe

from core.text_language import foreign_language


class DateInput(forms.DateInput):
    """A native date picker; the value travels as ISO 8601 whatever the language."""

    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class OptionLanguageMixin:
    """Options labelled with catalog text in another language than the page's get
    `lang` (an untranslated agency or choice on an English page: WCAG 3.1.2)."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        lang = foreign_language(label)
        if lang is not None:
            option["attrs"] = {**option["attrs"], "lang": lang}
        return option


class QuickSelect(OptionLanguageMixin, forms.Select):
    """A select whose options are written in Python, not one template each.

    Django renders every option through the template engine: with the 194
    agencies and the fields of the catalog filter that was two thirds of the
    catalog page (bench/README.md). Same markup as forms.Select, option
    groups included, and options in another language carry `lang`.
    """

    def render(self, name, value, attrs=None, renderer=None):
        context = self.get_context(name, value, attrs)["widget"]
        parts = [f'<select name="{escape(context["name"])}"{flatatt(context["attrs"])}>']
        for group_name, options, _index in context["optgroups"]:
            if group_name:
                parts.append(f'<optgroup label="{escape(group_name)}">')
            parts.extend(_option(option) for option in options)
            if group_name:
                parts.append("</optgroup>")
        parts.append("</select>")
        return mark_safe("".join(parts))


def _option(option: dict) -> str:
    attrs = option["attrs"]
    # Nearly every option has no attribute or only `selected`: skip flatatt.
    if not attrs:
        rendered = ""
    elif attrs == {"selected": True}:
        rendered = " selected"
    else:
        rendered = flatatt(attrs)
    return f'<option value="{escape(option["value"])}"{rendered}>{escape(option["label"])}</option>'
