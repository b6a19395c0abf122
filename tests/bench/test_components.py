"""bench.components at a tiny size: every component runs and gives a figure.

No timing is asserted: the figures are measured by `python -m bench.run`, on
the bench database. The components run in a child process against this
test's database, so what they read must be committed (`transactional_db`),
with a real Celery worker on the broker of CELERY_BROKER_URL.
"""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from bench.components import run_components
from citizens.constants import MembershipRole
from citizens.models import Membership, User
from dossiers.constants import Channel
from dossiers.models import DeadlineAlert
from notifications.models import Notification
from procedures.models import Agency
from results_store.models import Result, SigningKey
from tests.factories import AgencyFactory, DossierFactory, UserFactory

FIGURES = {
    "result_pdf_sign": "per second",
    "token_verify_offline": "per second",
    "token_verify_online": "per second",
    "deadline_alerts_collect": "seconds",
    "deadline_alerts_act": "per second",
    "deadline_alerts_first_run": "seconds",
    "deadline_alerts_second_run": "seconds",
    "outbox_webhook_worker": "per second",
    "outbox_webhook_sweep": "per second",
    "outbox_email_sweep": "per second",
}


def _database_url() -> str:
    database = settings.DATABASES["default"]
    return (
        f"postgres://{database['USER']}:{database['PASSWORD']}"
        f"@{database['HOST']}:{database['PORT']}/{database['NAME']}"
    )


def _open_dossiers() -> None:
    """Three overdue dossiers and one waiting a month to be received, at a ward with an officer."""
    ward = AgencyFactory()
    Membership.objects.create(user=UserFactory(), agency=ward, role=MembershipRole.OFFICER)
    now = timezone.now()
    for _ in range(3):
        DossierFactory(
            received=True,
            agency=ward,
            submitted_at=now - timedelta(days=10),
            due_at=now - timedelta(days=2),
        )
    DossierFactory(
        submitted=True, agency=ward, channel=Channel.ONLINE, submitted_at=now - timedelta(days=30)
    )


@pytest.mark.django_db(transaction=True)
def test_every_component_gives_a_positive_figure_and_leaves_the_database_as_it_was():
    _open_dossiers()
    before = {
        model: model.objects.count()
        for model in (Agency, User, Result, SigningKey, Notification, DeadlineAlert)
    }

    figures = run_components(
        database_url=_database_url(), broker_url=settings.CELERY_BROKER_URL, quick=True
    )

    assert {name: figures[name]["unit"] for name in figures} == FIGURES
    assert all(figure["value"] > 0 for figure in figures.values())
    assert "overdue 3, not_received 1" in figures["deadline_alerts_first_run"]["detail"]
    assert {model: model.objects.count() for model in before} == before
