"""Display of statistics: percentages and averages, with "–" for a figure that cannot exist."""

from django import template
from django.utils.formats import number_format

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
