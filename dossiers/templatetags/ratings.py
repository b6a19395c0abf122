"""The applicant's rating form, for the dossier page whichever view renders it."""

from django import template

from dossiers.forms import RatingForm

register = template.Library()


@register.simple_tag
def rating_form(bound=None):
    """The form the rating view sent back with its errors, or a blank one."""
    return bound or RatingForm()
