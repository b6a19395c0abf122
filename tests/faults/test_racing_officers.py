"""Officers racing on the same dossiers through gunicorn's processes and threads.

The audit saw 7 of 440 racing requests answered 500 under gthread workers.
Here two officers, each with several browser tabs, act on the same twenty
dossiers at the same moment, through two gunicorn workers of four threads:
both receive. For every dossier exactly one request wins
(a redirect) and every other answer is a 409 saying someone acted first;
the dossier has exactly one event for the winning action.
"""

import threading

import pytest
from django.test import Client

from citizens.constants import MembershipRole
from citizens.models import Membership
from dossiers.constants import DossierAction, DossierState
from dossiers.models import Dossier, DossierEvent
from tests.accounts import pass_second_factor
from tests.dossiers.builders import cast, dossier_in
from tests.factories import UserFactory
from tests.faults.own_gunicorn import OwnGunicorn

pytestmark = pytest.mark.django_db(transaction=True)

DOSSIERS = 20
TABS = 3


@pytest.fixture
def web(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SECRET_KEY = OwnGunicorn.SECRET_KEY
    server = OwnGunicorn(
        workers=2,
        threads=4,
        env={
            "CELERY_TASK_ALWAYS_EAGER": "true",
            "SECURE_COOKIES": "false",
            "MEDIA_ROOT": str(tmp_path / "media"),
        },
    )
    server.start()
    yield server
    server.stop()


def _signed_in(web, user) -> list:
    client = Client()
    client.force_login(user)
    pass_second_factor(client, user)
    return [web.officer_browser(client.cookies["sessionid"].value) for _ in range(TABS)]


def test_racing_officers_get_one_winner_and_clear_conflicts_never_a_500(web):
    c = cast()
    rival = UserFactory(full_name="Phạm Thị Hai")
    Membership.objects.create(user=rival, agency=c.agency, role=MembershipRole.OFFICER)
    ids = [dossier_in(DossierState.SUBMITTED, c).pk for _ in range(DOSSIERS)]
    # Receiving is the move both can make from the same state and only one may.
    actions = [(tab, "receive", {}) for tab in _signed_in(web, c.officer) + _signed_in(web, rival)]
    answers: dict[int, list[int]] = {pk: [] for pk in ids}
    lock = threading.Lock()

    for pk in ids:
        barrier = threading.Barrier(len(actions))

        def act(tab, action, data, pk=pk, barrier=barrier):
            barrier.wait(timeout=10)
            response = tab.post(
                f"{web.url}/officer/dossiers/{pk}/{action}/",
                data,
                allow_redirects=False,
                timeout=30,
            )
            with lock:
                answers[pk].append(response.status_code)

        threads = [threading.Thread(target=act, args=action) for action in actions]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

    for pk, statuses in answers.items():
        assert sorted(statuses) == [302] + [409] * (len(actions) - 1), (pk, statuses)
        dossier = Dossier.objects.get(pk=pk)
        assert dossier.state == DossierState.RECEIVED
        moves = DossierEvent.objects.filter(dossier=dossier, action=DossierAction.RECEIVE)
        assert moves.count() == 1
