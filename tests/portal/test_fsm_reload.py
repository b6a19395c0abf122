"""Reloading a protected state never unprotects it for the other threads."""

import pytest
from django.db import models

from dossiers.constants import DossierState
from dossiers.models import Dossier
from results_store.models import Result
from tests.dossiers.builders import cast, dossier_in


@pytest.mark.django_db
def test_the_state_stays_protected_on_the_class_while_an_instance_reloads(monkeypatch):
    c = cast()
    dossier = dossier_in(DossierState.SUBMITTED, c)
    field = Dossier._meta.get_field("state")
    seen = []
    original = models.Model.refresh_from_db

    def watching(self, *args, **kwargs):
        # Another thread assigning a state now would see this flag.
        seen.append(field.protected)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(models.Model, "refresh_from_db", watching)
    dossier.refresh_from_db()
    dossier.refresh_from_db(fields=["state"])

    assert seen and all(seen)
    assert Result._meta.get_field("status").protected


@pytest.mark.django_db
def test_a_stale_dossier_reloads_its_new_state_and_can_act_again():
    c = cast()
    dossier = dossier_in(DossierState.SUBMITTED, c)
    Dossier.objects.filter(pk=dossier.pk).update(state=DossierState.RECEIVED)
    field = Dossier._meta.get_field("state")

    dossier.refresh_from_db()

    assert dossier.state == DossierState.RECEIVED
    assert field.protected
    with pytest.raises(AttributeError):
        dossier.state = DossierState.DRAFT
