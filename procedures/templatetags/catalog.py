"""Display helpers for catalog values: fees, processing times, and the language of texts.

An English page shows catalog text in Vietnamese where no translation was
entered; that text must carry `lang="vi"` (WCAG 3.1.2, Language of Parts):

    {{ component.display_name|in_lang }}       inline text: wrapped in a span
    <h1{{ procedure.display_name|lang_attr }}>  an element holding only the text
    <div{{ procedure.display_steps|lang_attr }}>{{ procedure.display_steps|linebreaks }}</div>

Both mark only a `CatalogText` (core/text_language.py) whose language
differs from the page's, so Vietnamese pages get no extra markup. Neither
can mark text inside an attribute or `<title>`: those stay plain.
"""

from decimal import Decimal

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from core.text_language import foreign_language
from procedures.constants import TimeUnit

register = template.Library()


@register.filter(needs_autoescape=True)
def in_lang(text, autoescape=True):
    """The text, escaped, inside `<span lang="…">` when its language is not the page's.

    With autoescaping off (plain-text e-mails) the text is left as it is: a
    span would be shown to the reader, and there is no markup to carry it.
    """
    if not autoescape:
        return text
    lang = foreign_language(text)
    if lang is None:
        return conditional_escape(text)
    return format_html('<span lang="{}">{}</span>', lang, text)


@register.filter
def lang_attr(text):
    """` lang="…"` for the element that holds `text`, when its language is not the page's."""
    lang = foreign_language(text)
    if lang is None:
        return ""
    return format_html(' lang="{}"', lang)


def _group_thousands(amount: int) -> str:
    # Vietnamese writes 200.000; English 200,000.
    separator = "," if (get_language() or "vi").startswith("en") else "."
    return f"{amount:,}".replace(",", separator)


@register.filter
def vnd(amount):
    """A fee for people to read: free, an amount, or who decides it."""
    if amount is None:
        return _("Set by the People's Council or not published")
    if amount == 0:
        return _("Free")
    return _("%(amount)s VND") % {"amount": _group_thousands(int(amount))}


@register.filter
def duration(value, unit):
    """A processing time in its unit, e.g. '3 working days' or '1.5 working days'."""
    number = Decimal(value)
    shown = f"{number.normalize():f}"
    if not (get_language() or "vi").startswith("en"):
        shown = shown.replace(".", ",")
    count = int(number) if number == number.to_integral_value() else 2
    if unit == TimeUnit.CALENDAR_DAYS:
        text = ngettext("%(n)s day", "%(n)s days", count)
    else:
        text = ngettext("%(n)s working day", "%(n)s working days", count)
    return text % {"n": shown}


@register.simple_tag
def processing_time(procedure, online=False):
    """The time a citizen can expect, for one channel."""
    if procedure.same_day:
        return _("Same day (next working day if received after 15:00)")
    value = procedure.online_processing_time() if online else procedure.processing_time
    return duration(value, procedure.time_unit)
