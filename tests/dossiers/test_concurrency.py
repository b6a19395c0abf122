"""Races on the real PostgreSQL, each actor on its own connection (thread)."""

import threading

import pytest
from django.db import connection

from citizens.constants import MembershipRole
from citizens.models import Membership
from dossiers import services
from dossiers.constants import DossierAction, DossierState
from dossiers.models import Dossier, DossierEvent
from tests.dossiers.builders import cast, dossier_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def run_together(*actions):
    """Start the actions at the same moment on separate threads; return results or errors."""
    barrier = threading.Barrier(len(actions))
    results = [None] * len(actions)

    def worker(index, action):
        try:
            barrier.wait(timeout=10)
            results[index] = action()
        except Exception as exc:
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_two_officers_receiving_at_once_exactly_one_wins():
    c = cast()
    second_officer = UserFactory(full_name="Phạm Thị Hai")
    Membership.objects.create(user=second_officer, agency=c.agency, role=MembershipRole.OFFICER)
    dossier = dossier_in(DossierState.SUBMITTED, c)

    def receive_as(officer):
        # Each officer has the dossier open in their own request.
        copy = Dossier.objects.get(pk=dossier.pk)
        return lambda: services.dossier_receive(dossier=copy, actor=officer)

    results = run_together(receive_as(c.officer), receive_as(second_officer))

    failures = [r for r in results if isinstance(r, Exception)]
    assert len(failures) == 1
    assert isinstance(failures[0], services.WorkflowError)
    assert failures[0].code == "concurrent"
    assert Dossier.objects.get(pk=dossier.pk).state == DossierState.RECEIVED
    events = DossierEvent.objects.filter(dossier=dossier, action=DossierAction.RECEIVE)
    assert events.count() == 1


def test_concurrent_submissions_never_share_a_code():
    c = cast()
    drafts = [dossier_in(DossierState.DRAFT, c) for _ in range(8)]

    def submit(draft):
        return lambda: services.dossier_submit(dossier=draft, actor=c.applicant, declared=True)

    results = run_together(*(submit(d) for d in drafts))

    assert not [r for r in results if isinstance(r, Exception)]
    codes = list(
        Dossier.objects.filter(pk__in=[d.pk for d in drafts]).values_list("code", flat=True)
    )
    assert len(set(codes)) == 8
    assert sorted(code[-4:] for code in codes) == [f"{n:04d}" for n in range(1, 9)]
