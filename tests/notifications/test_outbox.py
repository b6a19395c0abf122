"""The transactional outbox: rows commit with the change, delivery is retried and never lost."""

import logging
import os
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone

from dossiers import services as dossier_services
from dossiers.constants import DossierState
from notifications import channels
from notifications.constants import MAX_ATTEMPTS, NotificationChannel, NotificationStatus
from notifications.models import Notification
from notifications.services import backoff, notification_deliver, notify, outbox_sweep
from notifications.tasks import deliver_notification_task
from tests.dossiers.builders import cast, dossier_in
from tests.factories import DossierFactory, UserFactory
from tests.notifications.conftest import HOLD


class Boom(Exception):
    pass


def wait_for(predicate, *, timeout=15.0, interval=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


def sms_row(user) -> Notification:
    return Notification.objects.get(user=user, channel=NotificationChannel.SMS)


@pytest.fixture
def texting_user():
    return UserFactory(full_name="Võ Thị Sáu", phone="0905000111", language="vi")


# --------------------------------------------------------------------------
# Commit and rollback
# --------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_transition_rolled_back_leaves_no_notification_and_sends_nothing(
    celery_worker, locmem_email
):
    c = cast()
    dossier = dossier_in(DossierState.SUBMITTED, c)
    assert wait_for(lambda: not Notification.objects.filter(status="pending").exists())
    mail.outbox.clear()
    before = Notification.objects.count()

    with pytest.raises(Boom), transaction.atomic():
        dossier_services.dossier_receive(dossier=dossier, actor=c.officer)
        assert Notification.objects.count() > before  # written, inside the transaction
        raise Boom

    assert Notification.objects.count() == before
    assert outbox_sweep() == 0
    time.sleep(1)  # the worker is running: anything queued would have been sent by now
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_a_committed_transition_is_emailed_exactly_once_by_the_real_worker(
    celery_worker, locmem_email
):
    c = cast()
    dossier = dossier_in(DossierState.SUBMITTED, c)
    dossier_services.dossier_receive(dossier=dossier, actor=c.officer)

    row = Notification.objects.get(
        user=c.applicant, kind="dossier_received", channel=NotificationChannel.EMAIL
    )
    assert wait_for(lambda: Notification.objects.get(pk=row.pk).status == NotificationStatus.SENT)
    # A redelivered task and a sweep find it sent and send nothing more.
    deliver_notification_task.delay(row.pk)
    outbox_sweep()
    time.sleep(1)
    sent = [m for m in mail.outbox if m.extra_headers["Message-ID"] == channels.message_id(row)]
    assert len(sent) == 1
    assert sent[0].to == [c.applicant.email]
    assert dossier.code in sent[0].subject
    row.refresh_from_db()
    assert row.attempts == 1


@pytest.mark.django_db
def test_notify_twice_with_the_same_key_writes_no_duplicate_rows(texting_user, gateway):
    dossier = DossierFactory(received=True, applicant=texting_user)
    arguments = {
        "users": [texting_user],
        "kind": "dossier_received",
        "context": {"dossier": dossier},
        "link": "/dossiers/1/",
        "dedupe_key": "dossier-event:test",
    }
    first = notify(**arguments)
    second = notify(**arguments)
    assert {row.channel for row in first} == {"email", "sms", "in_app"}
    assert second == []
    assert Notification.objects.filter(dedupe_key="dossier-event:test").count() == 3


@pytest.mark.django_db
def test_in_app_rows_are_delivered_when_written_and_other_channels_wait_for_the_sender(
    texting_user, gateway
):
    dossier = DossierFactory(received=True, applicant=texting_user)
    rows = notify(
        users=[texting_user],
        kind="dossier_received",
        context={"dossier": dossier},
        dedupe_key="k",
    )
    status = {row.channel: row.status for row in rows}
    assert status == {"in_app": "sent", "email": "pending", "sms": "pending"}


# --------------------------------------------------------------------------
# A worker killed mid-delivery
# --------------------------------------------------------------------------


def _deliver_in_subprocess(notification_id: int, gateway_url: str) -> subprocess.Popen:
    db = connection.settings_dict
    database_url = (
        f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DATABASE_URL": database_url,
        "NOTIFY_WEBHOOK_URL": gateway_url,
        "NOTIFY_WEBHOOK_TOKEN": django_settings.NOTIFY_WEBHOOK_TOKEN,
        "NOTIFY_WEBHOOK_TIMEOUT": "30",
    }
    code = (
        "import sys, django; django.setup(); "
        "from notifications.services import notification_deliver; "
        "notification_deliver(int(sys.argv[1]))"
    )
    return subprocess.Popen(
        [sys.executable, "-c", code, str(notification_id)],
        cwd=django_settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_request_loses_nothing_and_the_sweeper_resends_with_the_same_key(
    settings, locmem_email, gateway
):
    c = cast()
    dossier = dossier_in(DossierState.SUBMITTED, c)
    # Only the reception goes by text: one row whose every request is counted.
    c.applicant.phone = "0905000111"
    c.applicant.save()
    dossier_services.dossier_receive(dossier=dossier, actor=c.officer)
    row = Notification.objects.get(
        user=c.applicant, kind="dossier_received", channel=NotificationChannel.SMS
    )
    gateway.plan = [HOLD]

    worker = _deliver_in_subprocess(row.pk, gateway.url)
    try:
        assert gateway.arrived.wait(timeout=30), "the worker never reached the gateway"
    finally:
        worker.kill()  # SIGKILL: no cleanup, no rollback by the worker itself
        worker.wait(timeout=10)
    assert worker.returncode == -9

    row.refresh_from_db()
    assert row.status == NotificationStatus.PENDING
    assert row.attempts == 0  # the killed attempt's transaction was rolled back

    # PostgreSQL ends the dead worker's transaction and frees the row; sweep until sent.
    assert wait_for(lambda: outbox_sweep() >= 0 and _status(row) == NotificationStatus.SENT)
    gateway.release.set()

    row.refresh_from_db()
    assert row.attempts == 1
    assert gateway.keys() == [f"notification-{row.pk}"] * 2
    # Nothing was lost: every row of the dossier has gone out.
    assert not Notification.objects.exclude(status=NotificationStatus.SENT).exists()
    outbox_sweep()
    assert len(gateway.requests) == 2


def _status(row):
    return Notification.objects.get(pk=row.pk).status


# --------------------------------------------------------------------------
# Retries
# --------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_failed_webhook_call_is_retried_after_its_backoff_and_sent_once(texting_user, gateway):
    gateway.plan = [500, 200]
    dossier = DossierFactory(received=True, applicant=texting_user)
    notify(
        users=[texting_user], kind="dossier_received", context={"dossier": dossier}, dedupe_key="k"
    )
    row = sms_row(texting_user)

    started = timezone.now()
    assert notification_deliver(row.pk) == NotificationStatus.PENDING
    row.refresh_from_db()
    assert row.attempts == 1
    assert "HTTP 500" in row.last_error
    assert started + timedelta(seconds=59) <= row.next_attempt_at <= timezone.now() + backoff(1)

    # Not due yet: neither a redelivered task nor the sweeper calls the gateway.
    assert notification_deliver(row.pk) is None
    outbox_sweep()
    assert len(gateway.requests) == 1

    Notification.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
    assert outbox_sweep() >= 1
    row.refresh_from_db()
    assert row.status == NotificationStatus.SENT
    assert row.attempts == 2
    assert row.last_error == ""

    outbox_sweep()
    assert notification_deliver(row.pk) is None
    assert len(gateway.requests) == 2
    assert set(gateway.keys()) == {f"notification-{row.pk}"}


@pytest.mark.django_db
def test_an_unreachable_gateway_is_a_failure_to_retry(texting_user, settings):
    settings.NOTIFY_WEBHOOK_URL = "http://127.0.0.1:9/closed"  # discard port: refused
    dossier = DossierFactory(received=True, applicant=texting_user)
    notify(
        users=[texting_user], kind="dossier_received", context={"dossier": dossier}, dedupe_key="k"
    )
    row = sms_row(texting_user)
    assert notification_deliver(row.pk) == NotificationStatus.PENDING
    row.refresh_from_db()
    assert "not reached" in row.last_error
    assert row.next_attempt_at > timezone.now()


@pytest.mark.django_db
def test_a_row_is_marked_failed_and_logged_after_the_last_attempt(texting_user, gateway, caplog):
    gateway.plan = [503]
    dossier = DossierFactory(received=True, applicant=texting_user)
    notify(
        users=[texting_user], kind="dossier_received", context={"dossier": dossier}, dedupe_key="k"
    )
    row = sms_row(texting_user)
    Notification.objects.filter(pk=row.pk).update(attempts=MAX_ATTEMPTS - 1)

    with caplog.at_level(logging.ERROR, logger="notifications.services"):
        assert notification_deliver(row.pk) == NotificationStatus.FAILED
    row.refresh_from_db()
    assert row.attempts == MAX_ATTEMPTS
    assert f"Notification {row.pk}" in caplog.text
    outbox_sweep()
    assert len(gateway.requests) == 1


def test_backoff_doubles_from_one_minute_and_is_capped_at_an_hour():
    assert [backoff(n).total_seconds() / 60 for n in range(1, 9)] == [1, 2, 4, 8, 16, 32, 60, 60]


@pytest.mark.django_db
def test_the_sweeper_sends_due_rows_in_batches_and_leaves_later_ones(gateway):
    users = [UserFactory(phone=f"09050001{n:02d}") for n in range(5)]
    dossier = DossierFactory(received=True)
    notify(users=users, kind="dossier_received", context={"dossier": dossier}, dedupe_key="k")
    later = sms_row(users[0])
    Notification.objects.filter(pk=later.pk).update(
        next_attempt_at=timezone.now() + timedelta(minutes=5)
    )
    # The five emails and the four other texts, two at a time.
    assert outbox_sweep(batch_size=2) == 9
    assert Notification.objects.filter(status="pending").get() == later
    assert len(gateway.requests) == 4
