"""Display helpers for catalog values: fees and processing times."""

from decimal import Decimal

from django import template
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from procedures.constants import TimeUnit

register = template.Library()


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
