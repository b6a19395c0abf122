"""Display of statistics: percentages and averages, with "–" for a figure that cannot exist."""

from django import template
from django.utils import dateformat, timezone
from django.utils.formats import number_format
from django.utils.html import format_html

register = template.Library()

MISSING = "–"


@register.filter
def percent(value):
    """75.0 -> "75,0 %" in Vietnamese, "75.0 %" in English; None -> "–"."""
    if value is None or value == "":
        return MISSING
    return f"{number_format(value, decimal_pos=1)} %"


@register.filter
def one_decimal(value):
    if value is None or value == "":
        return MISSING
    return number_format(value, decimal_pos=1)


@register.filter
def count(value):
    """A whole number with the language's thousands separator."""
    if value is None or value == "":
        return MISSING
    return number_format(int(value), force_grouping=True)


@register.simple_tag
def time_element(moment):
    """A moment as "14:05 08/12/2026" in a <time> whose machine value has no microseconds."""
    if moment is None:
        return MISSING
    local = timezone.localtime(moment)
    return format_html(
        '<time datetime="{}">{}</time>',
        dateformat.format(local, r"Y-m-d\TH:i:sO"),
        dateformat.format(local, "H:i d/m/Y"),
    )
