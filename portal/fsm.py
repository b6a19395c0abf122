"""Reloading models whose state is a protected django-fsm field, safely under threads.

A protected FSMField refuses assignment once an instance holds a value, so
`refresh_from_db` cannot write it back. django-fsm's FSMModelMixin works
around that by unprotecting the field on the class (for every instance in
the process) while it reloads; with threaded workers a concurrent request
then fails to assign, or assigns what it must not (issue 14: 7 of 440 racing
officer requests answered 500). This mixin makes the one instance being
reloaded forget its state first, as a fresh load would, and touches nothing
shared.
"""

from django.db import models
from django_fsm import FSMFieldMixin


class ProtectedStateReload:
    """Put first in the bases, before django-fsm's mixins."""

    def refresh_from_db(self, using=None, fields=None, from_queryset=None):
        protected = {
            field.attname
            for field in self._meta.concrete_fields
            if isinstance(field, FSMFieldMixin) and field.protected
        }
        reloaded = protected if fields is None else protected & set(fields)
        for name in reloaded:
            self.__dict__.pop(name, None)
        # Past FSMModelMixin.refresh_from_db, which would unprotect the class.
        models.Model.refresh_from_db(self, using=using, fields=fields, from_queryset=from_queryset)
        # ConcurrentTransitionMixin compares the state on save with the one loaded.
        update_initial_state = getattr(self, "_update_initial_state", None)
        if update_initial_state is not None:
            update_initial_state()
