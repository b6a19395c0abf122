"""A worker killed mid-task: its tasks are done by the next worker within a minute, once each.

A deployed worker can die without a word: the kernel's OOM killer, a node
lost, `kill -9`. Tasks are acknowledged late, so the messages it held stay in
the broker as unacknowledged and come back once the visibility timeout has
passed; nothing else recovers them before the sweepers' grace period.

Here real `celery worker` processes (prefork, two children, as deployed) take
the receipts of received dossiers and the signatures of completed dossiers'
results from a Redis of the test's own. The first worker is SIGKILLed, main
process and children at once, while it renders; a second worker must then
make every receipt and sign every result within 60 s of the kill, without the
sweepers. Whatever the killed worker had stored, each dossier keeps exactly
one receipt file and each result exactly one signed PDF: no orphan, no
duplicate.
"""

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import redis as redis_client
from django.conf import settings
from django.core.files.storage import default_storage

from dossiers import services
from dossiers.constants import DossierState
from dossiers.models import Dossier
from results_store.constants import ResultStatus
from results_store.models import Result
from tests.accounts import verify_identity
from tests.dossiers.builders import cast, dossier_in
from tests.factories import ResultTypeFactory
from tests.faults.own_gunicorn import test_database_url as database_url

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
RECEIVED = 12
COMPLETED = 4  # of those, completed with a result to sign
# The bound the issue sets: a killed worker's tasks are done within a minute.
DONE_WITHIN_SECONDS = 60
# Long enough for a worker to boot (Django, Celery, WeasyPrint) and begin.
BUSY_WITHIN_SECONDS = 30
STOP_TIMEOUT_SECONDS = 10


@pytest.fixture
def broker(redis):
    """A client of the own Redis, to see the messages waiting and held."""
    client = redis_client.Redis.from_url(redis.url)
    yield client
    client.close()


class Worker:
    """`celery worker` in a process group of its own, configured through the environment."""

    def __init__(self, broker_url: str, media_root: Path, mail: Path):
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": broker_url,
            "MEDIA_ROOT": str(media_root),
            # Notifications the receptions queued go to files, not into the log.
            "EMAIL_FILE_PATH": str(mail),
            "DEBUG": "false",
            "SECURE_SSL_REDIRECT": "false",
            # INFO: the log read back on failure shows each task received and done.
            "LOG_LEVEL": "info",
        }
        # The signing keys in the test database are encrypted under the test
        # process's keys; the worker must decrypt them.
        for name in ("SECRET_KEY", "SIGNING_KEYS_ENCRYPTION_KEY"):
            if value := getattr(settings, name, ""):
                env[name] = value
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - open while the worker runs
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "portal", "worker",
             "--pool", "prefork", "--concurrency", "2", "-l", "warning"],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            # Its own group: the pool children die with it, as in an OOM kill
            # of the container, and nothing else is signalled.
            start_new_session=True,
        )  # fmt: skip

    def kill(self) -> None:
        """SIGKILL the main process and its pool children at once."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=STOP_TIMEOUT_SECONDS)

    def stop(self) -> None:
        """A warm shutdown, then SIGKILL if it does not end in time."""
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                self.kill()
        # Children left behind by a main process that died first.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-6000:]


@pytest.fixture
def workers(tmp_path):
    """Start workers; every one started is stopped when the test ends, failed or not."""
    started: list[Worker] = []

    def start(broker_url: str, media_root: Path) -> Worker:
        worker = Worker(broker_url, media_root, tmp_path / "mail")
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()
        worker.log.close()


def _wait(condition, *, seconds: float, what: str, worker: Worker) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if worker.process.poll() is not None:
            pytest.fail(f"the worker exited while {what}:\n{worker.output()}")
        if time.monotonic() > deadline:
            pytest.fail(f"{what} not within {seconds} s; worker log:\n{worker.output()}")
        time.sleep(0.05)


def test_a_killed_workers_tasks_are_done_within_a_minute_once_each(
    redis, broker, media_root, workers
):
    c = cast()
    verify_identity(c.applicant, national_id="048190003333")
    result_type = ResultTypeFactory(code="KQ.G15.000039")
    c.procedure.result_types.add(result_type)
    # Queued on the own Redis as each reception commits; no worker runs yet.
    dossiers = [dossier_in(DossierState.RECEIVED, c) for _ in range(RECEIVED)]
    for dossier in dossiers[:COMPLETED]:
        services.dossier_complete(
            dossier=dossier,
            actor=c.officer,
            outcome="Đã cấp giấy xác nhận",
            result_type=result_type,
            result_content={"Tình trạng hôn nhân": "Chưa kết hôn"},
        )
    ids = [dossier.pk for dossier in dossiers]
    receipts_missing = Dossier.objects.filter(pk__in=ids, receipt_pdf="")
    unsigned = Result.objects.filter(status=ResultStatus.PREPARING)
    assert receipts_missing.count() == RECEIVED
    assert unsigned.count() == COMPLETED

    first = workers(redis.url, media_root)
    # A receipt made, and tasks held unacknowledged: the worker is past its
    # start and in the middle of its work, as a worker in production is.
    _wait(
        lambda: receipts_missing.count() < RECEIVED and broker.hlen("unacked") > 0,
        seconds=BUSY_WITHIN_SECONDS,
        what="the first worker was busy",
        worker=first,
    )
    first.kill()
    killed_at = time.monotonic()
    held_at_kill = broker.hlen("unacked")
    left_at_kill = receipts_missing.count() + unsigned.count()
    assert held_at_kill > 0
    assert left_at_kill > 0, "the worker finished everything before it was killed"

    second = workers(redis.url, media_root)
    # Done, and every message acknowledged: the tasks the killed worker held
    # came back after the visibility timeout and ran (again, if it had
    # finished one before it died), none is left waiting or held.
    _wait(
        lambda: (
            not receipts_missing.exists()
            and not unsigned.exists()
            and broker.llen("celery") == 0
            and broker.hlen("unacked") == 0
        ),
        seconds=DONE_WITHIN_SECONDS - (time.monotonic() - killed_at),
        what="every receipt made, every result signed and every task acknowledged",
        worker=second,
    )
    recovered_in = time.monotonic() - killed_at
    print(
        f"{left_at_kill} receipts and signatures left at the kill ({held_at_kill} tasks held),"
        f" all done {recovered_in:.1f} s after it"
    )
    assert recovered_in < DONE_WITHIN_SECONDS
    # None failed or was retried.
    log = second.output()
    for trouble in ("Traceback", "raised unexpected", "Retry in"):
        assert trouble not in log, log

    receipts = set(Dossier.objects.filter(pk__in=ids).values_list("receipt_pdf", flat=True))
    assert len(receipts) == RECEIVED
    assert all(default_storage.exists(name) for name in receipts)
    _folders, receipt_files = default_storage.listdir("receipts")
    assert sorted(f"receipts/{name}" for name in receipt_files) == sorted(receipts)

    results = Result.objects.filter(status=ResultStatus.VALID)
    assert results.count() == COMPLETED
    pdfs = set(results.values_list("pdf", flat=True))
    assert all(default_storage.exists(name) for name in pdfs)
    _folders, pdf_files = default_storage.listdir("results")
    assert sorted(f"results/{name}" for name in pdf_files) == sorted(pdfs)
