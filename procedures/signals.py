"""Cached views of the catalog forget themselves when an administrator edits it.

The catalog filter's choices (selectors.catalog_filter_choices) depend on
agencies, fields and which agency handles which procedure. Edits come from
the admin, imports and seed_demo alike, so the model signals are the one
place that sees them all.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save

from core import side_effects
from procedures.models import Agency, Field, Procedure
from procedures.selectors import catalog_filter_choices_forget


def _forget(**kwargs) -> None:
    # On commit: forgotten before, a page computing meanwhile would cache
    # the choices as they were until the cache expires.
    side_effects.after_commit(catalog_filter_choices_forget)


def connect() -> None:
    for model in (Agency, Field, Procedure):
        post_save.connect(
            _forget, sender=model, dispatch_uid=f"catalog-choices-save-{model.__name__}"
        )
        post_delete.connect(
            _forget, sender=model, dispatch_uid=f"catalog-choices-delete-{model.__name__}"
        )
    m2m_changed.connect(
        _forget, sender=Procedure.agencies.through, dispatch_uid="catalog-choices-agencies"
    )
