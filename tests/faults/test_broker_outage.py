"""The broker down: committed requests still answer, and every side effect is made later.

The Celery app is pointed at a Redis of the test's own, which is stopped while
officers receive and complete dossiers through the pages. Every request must
answer as usual (no 500 after its transaction committed), and nothing must be
lost: once Redis is back, the sweepers queue the receipts and signatures a
real worker then makes, exactly one of each, and the outbox sends every
notification.
"""

import time

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from dossiers.constants import DossierState
from dossiers.models import Dossier
from dossiers.pending_pdfs import pending_pdfs_queue
from notifications.constants import NotificationStatus
from notifications.models import Notification
from notifications.services import outbox_sweep
from results_store.constants import ResultStatus
from results_store.models import Result
from results_store.services import unsigned_results_queue
from tests.accounts import verify_identity
from tests.celery_worker import running_worker
from tests.dossiers.builders import cast, dossier_in
from tests.factories import ResultTypeFactory

pytestmark = pytest.mark.django_db(transaction=True)

DOSSIERS = 12
WAIT_SECONDS = 60


def _wait(condition, what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} within {WAIT_SECONDS} s")
        time.sleep(0.2)


def test_with_the_broker_down_requests_succeed_and_nothing_is_lost(client, redis, media_root):
    c = cast()
    verify_identity(c.applicant, national_id="048190002222")
    result_type = ResultTypeFactory(code="KQ.G15.000038")
    c.procedure.result_types.add(result_type)
    redis.stop()

    dossiers = [dossier_in(DossierState.SUBMITTED, c) for _ in range(DOSSIERS)]
    client.force_login(c.officer)
    answers = []
    for dossier in dossiers:
        answers.append(
            client.post(reverse("dossiers:officer_act", args=[dossier.pk, "receive"])).status_code
        )
    for dossier in dossiers[: DOSSIERS // 2]:
        response = client.post(
            reverse("dossiers:officer_act", args=[dossier.pk, "complete"]),
            {
                "complete-outcome": "Đã cấp giấy xác nhận",
                "complete-result_type": result_type.pk,
                "complete-result_content": "Tình trạng hôn nhân: Chưa kết hôn",
            },
        )
        answers.append(response.status_code)

    assert set(answers) == {302}
    ids = [dossier.pk for dossier in dossiers]
    assert Dossier.objects.filter(pk__in=ids, receipt_pdf="").count() == DOSSIERS
    assert Result.objects.filter(status=ResultStatus.PREPARING).count() == DOSSIERS // 2
    assert Notification.objects.filter(status=NotificationStatus.PENDING).exists()

    redis.start()
    later = timezone.now() + timezone.timedelta(minutes=2)
    with running_worker():
        assert pending_pdfs_queue(now=later)["receipts"] == DOSSIERS
        assert unsigned_results_queue(now=later) == DOSSIERS // 2
        _wait(
            lambda: (
                not Dossier.objects.filter(pk__in=ids, receipt_pdf="").exists()
                and not Result.objects.filter(status=ResultStatus.PREPARING).exists()
            ),
            "receipts and results were not all made",
        )
    outbox_sweep()

    receipts = set(Dossier.objects.filter(pk__in=ids).values_list("receipt_pdf", flat=True))
    assert len(receipts) == DOSSIERS
    assert all(default_storage.exists(name) for name in receipts)
    _folders, files = default_storage.listdir("receipts")
    assert len(files) == DOSSIERS
    _folders, pdfs = default_storage.listdir("results")
    assert len(pdfs) == DOSSIERS // 2
    assert not Notification.objects.filter(status=NotificationStatus.PENDING).exists()


def test_a_sweep_finds_nothing_to_do_when_every_task_ran(redis, media_root):
    c = cast()

    with running_worker():  # it empties the queue first
        dossier_in(DossierState.RECEIVED, c)
        _wait(
            lambda: not Dossier.objects.filter(receipt_pdf="").exists(),
            "the receipt was not made",
        )
        later = timezone.now() + timezone.timedelta(minutes=2)
        assert pending_pdfs_queue(now=later) == {"receipts": 0, "apologies": 0}
        assert unsigned_results_queue(now=later) == 0
