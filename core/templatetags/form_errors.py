"""The error summary at the top of a form page (GOV.UK design system pattern).

`{% error_summary form other_form %}` lists every error of the forms given, in
the order of their fields, each linked to the input it is about; errors that
belong to no field are listed first, without a link. The summary takes the
focus when the page loads (`autofocus`), so a field's own `autofocus` is
dropped: a page may have only one, and the summary must win. A form that has
been summarised is marked, so includes/form_fields.html does not show its
non-field errors a second time.
"""

from dataclasses import dataclass

from django import template

register = template.Library()


@dataclass(frozen=True)
class SummaryItem:
    message: str
    target: str  # the id of the input to jump to; empty for a non-field error


def _target_id(bound_field) -> str:
    """The id of the input a link should reach: the field, or the first of its radios."""
    if bound_field.is_hidden:
        return ""
    if bound_field.id_for_label:
        return bound_field.id_for_label
    # A radio or checkbox group has no single label target (Django leaves it
    # empty on purpose); GOV.UK links to the first option.
    subwidgets = bound_field.subwidgets
    return subwidgets[0].id_for_label if subwidgets else bound_field.auto_id or ""


def summary_items(*forms) -> list[SummaryItem]:
    items = []
    for form in forms:
        if not form or not form.errors:
            continue
        items.extend(SummaryItem(message, "") for message in form.non_field_errors())
        for bound_field in form:
            target = _target_id(bound_field)
            items.extend(SummaryItem(message, target) for message in bound_field.errors)
    return items


@register.inclusion_tag("includes/error_summary.html")
def error_summary(*forms):
    items = summary_items(*forms)
    if items:
        for form in forms:
            if form and form.errors:
                form.error_summary_shown = True
                for field in form.fields.values():
                    field.widget.attrs.pop("autofocus", None)
    return {"items": items}
