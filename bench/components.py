"""Component figures: the portal's background work, measured outside the web pages.

    python -m bench.components [--database-url URL] [--broker-url URL] [--quick]
                               [--deadline-sample N]

`bench/run.py` calls `run_components` after the load scenarios; the command
prints the same figures for a quick look. Each figure is
{"value": float, "unit": "per second" | "seconds", "detail": str}:

* result_pdf_sign: results rendered and signed per second by a real Celery
  worker (a `celery worker` process with a prefork pool of 2, as deployed).
  The results are issued with `result_issue` in one transaction, whose commit
  queues one `sign_result_task` each; the clock runs from that commit until
  every one is valid in the database. Each task renders the PDF with
  WeasyPrint, signs the COSE token, stamps the QR code and adds the PAdES
  signature. A few results signed first are not counted: they make every pool
  process import WeasyPrint and pyHanko and load its fonts.
* token_verify_offline: `tokens.verify` of a real token against the Ed25519
  public key, in one process: base45, zlib, CBOR and the signature check.
* token_verify_online: `verification.verify_token`, which also reads the
  result's status from the database (and the key, the first time).
* deadline_alerts_*: the body of `deadline_alerts_task` over the open
  dossiers of the bench database, in this process, inside one transaction
  that is rolled back, so the next run meets the same database. The first run
  over a database never alerted writes every alert due and tells each
  agency's officers and supervisors once per kind (a digest); it is measured
  whole. `--deadline-sample N` measures instead its collection and its action
  on N of the alerts due, every kind in proportion (`deadline_alerts_act`),
  and estimates the rest (before digests, a first run took an hour at a
  million dossiers). The second run, every alert written, finds nothing new.
* outbox_webhook_worker, outbox_webhook_sweep and outbox_email_sweep: pending
  outbox rows delivered per second. The webhook rows go to a local gateway,
  a separate process answering 200 at once, which must receive each row's
  Idempotency-Key exactly once; first through the worker (one
  `deliver_notification_task` per row, as `notify` queues them), then by
  `outbox_sweep` in this process. The email rows go through Django's locmem
  backend, so they measure the outbox and not a mail server.

Everything created here (an agency of its own with a fresh signing key, a
user, results, outbox rows, files under a temporary MEDIA_ROOT) is removed at
the end, and the worker and the gateway are stopped whatever happens.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import dataclasses
import datetime as dt
import json
import math
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://portal:portal@127.0.0.1:5432/portal_bench"
DEFAULT_BROKER_URL = "redis://127.0.0.1:6379/4"
JSON_MARKER = "BENCH_COMPONENTS_JSON "

# The worker as deployed on a 2-core machine: one process, a prefork pool of 2.
WORKER_CONCURRENCY = 2
WORKER_START_SECONDS = 90
# How long one task may take before the run is declared stuck.
TASK_TIMEOUT_SECONDS = 60
# A SIGTERMed child gets this long to stop its worker and gateway.
STOP_GRACE_SECONDS = 60

# What this module creates, recognised (and removed) by these names.
AGENCY_CODE = "BENCH.COMPONENTS"
PROCEDURE_CODE = "BENCH.COMPONENTS"
FIELD_CODE = "bench-components"
USERNAME = "bench-components"
DEDUPE_PREFIX = "bench-components:"
RESULT_TYPE = ("KQ.G15.000038", "Giấy xác nhận tình trạng hôn nhân")
HOLDER_NAME = "Nguyễn Thị Ánh Tuyết"
CONTENT = {
    "Họ, chữ đệm và tên người yêu cầu": HOLDER_NAME,
    "Ngày, tháng, năm sinh": "15/03/1990",
    "Nơi thường trú": "12 Bạch Đằng, phường Hải Châu, thành phố Đà Nẵng",
    "Tình trạng hôn nhân hiện tại": "Chưa kết hôn",
    "Mục đích sử dụng": "Để đăng ký kết hôn",
}
# Texts of the outbox rows, as long as a real "dossier received" message.
MESSAGE_SUBJECT = "Hồ sơ H48.99-260305-0001 đã được tiếp nhận"
MESSAGE_TEXT = (
    "Đã tiếp nhận hồ sơ H48.99-260305-0001 (Đăng ký khai sinh). "
    "Ngày hẹn trả kết quả: 10/03/2026. Theo dõi hồ sơ tại: "
)
MESSAGE_BODY = MESSAGE_TEXT + "\n\nTrân trọng,\nCổng dịch vụ công thành phố Đà Nẵng\n"


@dataclass(frozen=True)
class Sizes:
    results: int = 40
    warmup_results: int = 2 * WORKER_CONCURRENCY
    offline_verifications: int = 20_000
    online_verifications: int = 2_000
    notifications: int = 2_000
    # Alerts the first deadline run acts on before its rate is taken; None: all.
    alerts_sample: int | None = None


QUICK = Sizes(
    results=4,
    warmup_results=WORKER_CONCURRENCY,
    offline_verifications=200,
    online_verifications=50,
    notifications=40,
    alerts_sample=2,
)


def log(message: str) -> None:
    print(f"[components {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def figure(value: float, unit: str, detail: str) -> dict:
    return {"value": round(value, 3 if value < 10 else 1), "unit": unit, "detail": detail}


# --------------------------------------------------------------------------
# Called by bench/run.py: everything runs in a child process
# --------------------------------------------------------------------------


def run_components(
    *, database_url: str, broker_url: str, quick: bool = False, deadline_sample: int | None = None
) -> dict:
    """The component figures, measured by `python -m bench.components` in a child process.

    A child of its own keeps Django's settings (DATABASE_URL, MEDIA_ROOT, the
    gateway's address) out of the caller, which may be the bench runner or a
    test with a Django of its own. The child's environment is the caller's,
    plus the database and the broker given here.
    """
    command = [
        sys.executable,
        "-m",
        "bench.components",
        "--json",
        "--database-url",
        database_url,
        "--broker-url",
        broker_url,
    ]
    if quick:
        command.append("--quick")
    if deadline_sample:
        command += ["--deadline-sample", str(deadline_sample)]
    # Its own process group: if this process is interrupted, the child (and
    # the gateway it spawned) can be stopped as a group.
    child = subprocess.Popen(
        command, cwd=ROOT, env=dict(os.environ), stdout=subprocess.PIPE, start_new_session=True
    )
    try:
        stdout, _stderr = child.communicate()
    except BaseException:
        _stop_process_group(child, grace=STOP_GRACE_SECONDS)
        raise
    if child.returncode != 0:
        raise RuntimeError(f"python -m bench.components exited with {child.returncode}")
    for line in stdout.decode().splitlines():
        if line.startswith(JSON_MARKER):
            return json.loads(line[len(JSON_MARKER) :])
    raise RuntimeError("python -m bench.components printed no figures")


def _stop_process_group(process: subprocess.Popen, *, grace: float) -> None:
    """SIGTERM the group led by `process`, then SIGKILL whatever is left of it."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=grace)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=10)


# --------------------------------------------------------------------------
# The gateway: a separate process answering every POST with 200
# --------------------------------------------------------------------------


def gateway_serve() -> None:
    """Serve on a free port of 127.0.0.1 and print it, then answer commands read on stdin.

    "take" prints, as one JSON line, the Idempotency-Keys received since the
    last "take"; "stop", or stdin closing (the parent went away), ends it.
    """
    received: list[str] = []
    lock = threading.Lock()
    body = b'{"ok": true}'

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            with lock:
                received.append(self.headers.get("Idempotency-Key", ""))
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format, *args):
            pass

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        request_queue_size = 128

    server = Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(server.server_address[1], flush=True)
    try:
        for line in sys.stdin:
            if line.strip() != "take":
                break
            with lock:
                taken = list(received)
                received.clear()
            print(json.dumps(taken), flush=True)
    finally:
        server.shutdown()
        server.server_close()


class Gateway:
    """The SMS / chat-app gateway the webhook channel posts to, in a process of its own.

    A process, not a thread, so that the gateway does not compete with the
    sender for this process's GIL: a real gateway is on another machine.
    """

    def __init__(self):
        self._process = subprocess.Popen(
            [sys.executable, "-c", "from bench.components import gateway_serve; gateway_serve()"],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        port = self._process.stdout.readline().strip()
        if not port.isdigit():
            self.stop()
            raise RuntimeError("the local gateway did not start")
        self.url = f"http://127.0.0.1:{port}/api/messages"

    def take(self) -> list[str]:
        self._process.stdin.write("take\n")
        self._process.stdin.flush()
        return json.loads(self._process.stdout.readline())

    def stop(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self._process.stdin.close()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(timeout=5)


# --------------------------------------------------------------------------
# The worker: `celery worker` as deployed, in a process group of its own
# --------------------------------------------------------------------------


def _die_with_parent() -> None:
    # Linux: if the process measuring is killed outright, the worker gets
    # SIGTERM and shuts down with its pool instead of living on.
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM)


class Worker:
    def __init__(self, log_path: Path, *, concurrency: int = WORKER_CONCURRENCY):
        self.concurrency = concurrency
        self.log_path = log_path
        self.name = f"bench-components-{os.getpid()}@{socket.gethostname()}"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        from portal.celery import app

        # Tasks left by an interrupted run must not be counted in this one.
        app.control.purge()
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "-c",
            str(self.concurrency),
            "-P",
            "prefork",
            "-Q",
            "celery",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-l",
            "WARNING",
            "-n",
            self.name,
        ]
        with self.log_path.open("ab") as out:
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=dict(os.environ),
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )
        deadline = time.monotonic() + WORKER_START_SECONDS
        while time.monotonic() < deadline:
            self.check_alive()
            if app.control.ping(destination=[self.name], timeout=0.5):
                return
        raise RuntimeError(f"the worker did not answer in {WORKER_START_SECONDS} s\n{self.tail()}")

    def check_alive(self) -> None:
        if self.process is not None and self.process.poll() is not None:
            raise RuntimeError(f"the worker exited ({self.process.returncode})\n{self.tail()}")

    def tail(self, lines: int = 30) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        return ""

    def stop(self) -> None:
        if self.process is not None:
            _stop_process_group(self.process, grace=30)
            self.process = None


def _wait_for(count: Callable[[], int], total: int, *, timeout: float, worker: Worker) -> None:
    """Poll until `count()` reaches `total`, as long as the worker lives.

    The clock is not read here: the rows' own timestamps, written by the
    worker as it finishes each, say when the last was done.
    """
    deadline = time.monotonic() + timeout
    while (done := count()) < total:
        worker.check_alive()
        if time.monotonic() > deadline:
            raise RuntimeError(
                f"only {done} of {total} done after {timeout:.0f} s\n{worker.tail()}"
            )
        time.sleep(0.2)


def load_average() -> str:
    return f"load average {os.getloadavg()[0]:.2f} at the start"


# --------------------------------------------------------------------------
# What the measurements need in the database
# --------------------------------------------------------------------------


@dataclass
class Fixtures:
    agency: object
    result_type: object
    user: object
    result_type_created: bool
    holder_national_id: str


def fixtures_remove() -> None:
    """Remove what this module created, this run or an interrupted one."""
    from citizens.models import User
    from notifications.models import Notification
    from portal.audit import audit_purge
    from procedures.models import Agency, Field, Procedure
    from results_store.models import Result, SigningKey

    # Results' events and the user's account events are audit rows (ADR 10).
    with audit_purge(reason="benchmark fixtures removed"):
        Notification.objects.filter(dedupe_key__startswith=DEDUPE_PREFIX).delete()
        Result.objects.filter(agency__code=AGENCY_CODE).delete()
        SigningKey.objects.filter(agency__code=AGENCY_CODE).delete()
        Procedure.objects.filter(code=PROCEDURE_CODE).delete()
        Field.objects.filter(code=FIELD_CODE).delete()
        Agency.objects.filter(code=AGENCY_CODE).delete()
        User.objects.filter(username=USERNAME).delete()


def fixtures_create() -> Fixtures:
    from citizens.models import User
    from procedures.constants import AdministrativeLevel, AgencyKind
    from procedures.models import Agency, Field, Procedure, ResultType
    from results_store import keys

    fixtures_remove()
    agency = Agency.objects.create(
        code=AGENCY_CODE,
        name="Ủy ban nhân dân phường Hải Châu (đo hiệu năng)",
        name_en="Hai Chau Ward People's Committee (benchmark)",
        level=AdministrativeLevel.COMMUNE,
        kind=AgencyKind.PEOPLES_COMMITTEE,
    )
    # A fresh key, encrypted under this run's SECRET_KEY, which the worker
    # shares; a fresh root too, when an earlier run's root key is unreadable.
    try:
        keys.signing_key_generate(agency=agency)
    except keys.RootKeyOffline:
        keys.root_create()
        keys.signing_key_generate(agency=agency)
    code, name = RESULT_TYPE
    result_type, created = ResultType.objects.get_or_create(
        code=code, defaults={"name": name, "name_en": "Marital status certificate"}
    )
    # An agency issues only the result types of the procedures it handles.
    procedure = Procedure.objects.create(
        code=PROCEDURE_CODE,
        name="Cấp Giấy xác nhận tình trạng hôn nhân (đo hiệu năng)",
        field=Field.objects.create(code=FIELD_CODE, name="Hộ tịch (đo hiệu năng)"),
        level=AdministrativeLevel.COMMUNE,
        processing_time=3,
    )
    procedure.agencies.add(agency)
    procedure.result_types.add(result_type)
    user = User.objects.create(
        username=USERNAME,
        full_name="Lê Văn Hùng",
        email="bench-components@example.vn",
        phone="0905000000",
        language="vi",
    )
    # A holder without an account: nothing goes to a wallet.
    holder = "048190000000"
    for serial in range(1000):
        holder = f"048190{serial:06d}"
        if not User.objects.filter(national_id=holder).exists():
            break
    return Fixtures(agency, result_type, user, created, holder)


def _result_type_remove_if_created(fixtures: Fixtures) -> None:
    from django.db.models import ProtectedError

    if fixtures.result_type_created:
        with contextlib.suppress(ProtectedError):
            fixtures.result_type.delete()


def _issue(fixtures: Fixtures, count: int) -> tuple[list[int], dt.datetime]:
    """Issue `count` results in one transaction, whose commit queues their signing tasks.

    Returns the results' ids and the time of the commit, taken by a hook
    that runs before the hooks queueing the tasks.
    """
    from django.db import transaction
    from django.utils import timezone

    from results_store.services import result_issue

    committed = []
    with transaction.atomic():
        transaction.on_commit(lambda: committed.append(timezone.now()))
        ids = [
            result_issue(
                result_type=fixtures.result_type,
                agency=fixtures.agency,
                holder_national_id=fixtures.holder_national_id,
                holder_name=HOLDER_NAME,
                issued_on=timezone.localdate(),
                data={**CONTENT, "Số định danh cá nhân": fixtures.holder_national_id},
                actor=fixtures.user,
            ).pk
            for _ in range(count)
        ]
    return ids, committed[0]


def _notifications_create(fixtures: Fixtures, channel: str, count: int, run: str) -> list[int]:
    """`count` pending outbox rows for the bench user, due now."""
    from django.utils import timezone

    from notifications.constants import MessageKind, NotificationStatus
    from notifications.models import Notification

    now = timezone.now()
    link = "/dossiers/1/"
    rows = [
        Notification(
            user=fixtures.user,
            kind=MessageKind.DOSSIER_RECEIVED,
            channel=channel,
            dedupe_key=f"{DEDUPE_PREFIX}{run}:{index}",
            language="vi",
            subject=MESSAGE_SUBJECT,
            body_text=MESSAGE_BODY,
            body_html=f"<p>{MESSAGE_BODY}</p>",
            short_text=MESSAGE_TEXT + link,
            link=link,
            reference="H48.99-260305-0001",
            status=NotificationStatus.PENDING,
            next_attempt_at=now,
            created_at=now,
        )
        for index in range(count)
    ]
    created = Notification.objects.bulk_create(rows)
    return [row.pk for row in created]


def _sent_count(ids: list[int]) -> int:
    from notifications.constants import NotificationStatus
    from notifications.models import Notification

    return Notification.objects.filter(pk__in=ids, status=NotificationStatus.SENT).count()


@contextlib.contextmanager
def _only_bench_rows_due(fixtures: Fixtures):
    """Hold back, for the duration, the bench database's own due rows from the sweeper.

    `outbox_sweep` sends every due row; the rows of the dataset must neither
    be sent nor counted. Their next attempt is moved a century on and back.
    """
    from django.db.models import F

    from notifications.models import Notification

    century = dt.timedelta(days=36525)
    others = list(
        Notification.objects.due().exclude(user=fixtures.user).values_list("pk", flat=True)
    )
    if others:
        log(f"  holding back {len(others)} due outbox rows of the dataset")
        Notification.objects.filter(pk__in=others).update(
            next_attempt_at=F("next_attempt_at") + century
        )
    try:
        yield
    finally:
        if others:
            Notification.objects.filter(pk__in=others).update(
                next_attempt_at=F("next_attempt_at") - century
            )


def _check_keys(received: list[str], ids: list[int], what: str) -> None:
    expected = {f"notification-{pk}" for pk in ids}
    if len(received) != len(ids) or set(received) != expected:
        raise RuntimeError(
            f"{what}: the gateway received {len(received)} requests with "
            f"{len(set(received))} distinct keys, {len(set(received) & expected)} of the "
            f"{len(ids)} expected"
        )


# --------------------------------------------------------------------------
# The measurements
# --------------------------------------------------------------------------


def measure_result_signing(fixtures: Fixtures, worker: Worker, sizes: Sizes) -> dict:
    from django.db.models import Max

    from results_store.constants import ResultStatus
    from results_store.models import Result

    def valid(ids: list[int]) -> Callable[[], int]:
        return lambda: Result.objects.filter(pk__in=ids, status=ResultStatus.VALID).count()

    log(f"Result PDFs: {sizes.warmup_results} to warm the pool up, then {sizes.results}")
    warmup, _committed = _issue(fixtures, sizes.warmup_results)
    _wait_for(valid(warmup), len(warmup), timeout=TASK_TIMEOUT_SECONDS * 3, worker=worker)

    load = load_average()
    started = time.perf_counter()
    ids, committed = _issue(fixtures, sizes.results)
    issuing = time.perf_counter() - started
    timeout = TASK_TIMEOUT_SECONDS + sizes.results * 10
    _wait_for(valid(ids), len(ids), timeout=timeout, worker=worker)
    results = Result.objects.filter(pk__in=ids)
    finished = results.aggregate(last=Max("status_changed_at"))["last"]
    seconds = (finished - committed).total_seconds()
    sizes_kb = [result.pdf.size / 1024 for result in results if result.pdf]
    if len(sizes_kb) != len(ids):
        raise RuntimeError("a result marked valid has no PDF")
    return {
        "result_pdf_sign": figure(
            len(ids) / seconds,
            "per second",
            f"{len(ids)} results issued with result_issue in one transaction "
            f"({issuing:.2f} s), then rendered (WeasyPrint), token-signed, QR-stamped and "
            f"PAdES-signed by sign_result_task: {seconds:.2f} s from the commit that queued "
            f"them to the last one valid; 1 celery worker, prefork pool of "
            f"{worker.concurrency}, {os.cpu_count()} cores shared with PostgreSQL and Redis; "
            f"{sizes.warmup_results} warm-up results not counted; "
            f"PDFs of {sum(sizes_kb) / len(sizes_kb):.0f} kB; {load}",
        )
    }


def measure_outbox_worker(fixtures: Fixtures, worker: Worker, gateway: Gateway, sizes: Sizes):
    from django.db.models import Max
    from django.utils import timezone

    from notifications.constants import NotificationChannel
    from notifications.models import Notification
    from notifications.tasks import deliver_notification_task

    count = sizes.notifications
    log(f"Outbox through the worker: {count} webhook rows")
    ids = _notifications_create(fixtures, NotificationChannel.SMS, count, "worker")
    gateway.take()
    load = load_average()
    started = timezone.now()
    for pk in ids:
        deliver_notification_task.delay(pk)
    queued = (timezone.now() - started).total_seconds()
    timeout = TASK_TIMEOUT_SECONDS + count / 10
    _wait_for(lambda: _sent_count(ids), count, timeout=timeout, worker=worker)
    finished = Notification.objects.filter(pk__in=ids).aggregate(last=Max("sent_at"))["last"]
    _check_keys(gateway.take(), ids, "outbox through the worker")
    seconds = (finished - started).total_seconds()
    return {
        "outbox_webhook_worker": figure(
            count / seconds,
            "per second",
            f"{count} pending webhook rows, one deliver_notification_task each (queued in "
            f"{queued:.2f} s), sent by 1 celery worker with a prefork pool of "
            f"{worker.concurrency} to a local gateway answering 200: {seconds:.2f} s from the "
            "first task queued to the last row sent; the gateway got each Idempotency-Key "
            f"once; {load}",
        )
    }


def measure_outbox_sweep(fixtures: Fixtures, gateway: Gateway, sizes: Sizes) -> dict:
    from django.core import mail
    from django.test.utils import override_settings

    from notifications.constants import SWEEP_BATCH_SIZE, NotificationChannel
    from notifications.services import outbox_sweep

    count = sizes.notifications
    figures = {}
    with _only_bench_rows_due(fixtures):
        log(f"Outbox sweep in this process: {count} webhook rows")
        ids = _notifications_create(fixtures, NotificationChannel.SMS, count, "sweep-webhook")
        gateway.take()
        load = load_average()
        started = time.perf_counter()
        attempted = outbox_sweep()
        seconds = time.perf_counter() - started
        _check_keys(gateway.take(), ids, "outbox sweep")
        if attempted != count or _sent_count(ids) != count:
            raise RuntimeError(f"the sweep attempted {attempted} rows of {count}")
        figures["outbox_webhook_sweep"] = figure(
            count / seconds,
            "per second",
            f"{count} pending webhook rows sent by outbox_sweep (batches of {SWEEP_BATCH_SIZE}, "
            f"one transaction and one POST per row) in one process to a local gateway "
            f"answering 200: {seconds:.2f} s; the gateway got each Idempotency-Key once; {load}",
        )

        log(f"Outbox sweep in this process: {count} email rows (locmem backend)")
        ids = _notifications_create(fixtures, NotificationChannel.EMAIL, count, "sweep-email")
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            mail.outbox = []
            load = load_average()
            started = time.perf_counter()
            attempted = outbox_sweep()
            seconds = time.perf_counter() - started
            message_ids = {message.extra_headers["Message-ID"] for message in mail.outbox}
        if attempted != count or len(mail.outbox) != count or len(message_ids) != count:
            raise RuntimeError(
                f"the sweep attempted {attempted} email rows of {count}, "
                f"{len(mail.outbox)} messages with {len(message_ids)} Message-IDs"
            )
        figures["outbox_email_sweep"] = figure(
            count / seconds,
            "per second",
            f"{count} pending email rows (text and HTML) sent by outbox_sweep in one process "
            f"through Django's locmem email backend, so without a mail server: {seconds:.2f} s; "
            f"each Message-ID once; {load}",
        )
    return figures


def measure_token_verification(fixtures: Fixtures, sizes: Sizes) -> dict:
    from result_verifier import tokens
    from results_store import keys, verification
    from results_store.constants import ResultStatus
    from results_store.models import Result

    result = (
        Result.objects.select_related("signing_key")
        .filter(agency=fixtures.agency, status=ResultStatus.VALID)
        .first()
    )
    if result is None:
        raise RuntimeError("no signed result to take a token from")
    token = result.token
    public_key = keys.public_key(result.signing_key)

    def public_key_for(kid: str):
        return public_key if kid == result.signing_key.kid else None

    log(f"Token verification: {sizes.offline_verifications} offline")
    verified = tokens.verify(token, public_key_for)
    if verified.facts.result_id != result.public_id:
        raise RuntimeError("the token does not state its result")
    offline_load = load_average()
    started = time.perf_counter()
    for _ in range(sizes.offline_verifications):
        tokens.verify(token, public_key_for)
    offline_seconds = time.perf_counter() - started

    log(f"Token verification: {sizes.online_verifications} online")
    if not verification.verify_token(token).is_valid:
        raise RuntimeError("the token does not verify online")
    online_load = load_average()
    started = time.perf_counter()
    for _ in range(sizes.online_verifications):
        verification.verify_token(token)
    online_seconds = time.perf_counter() - started

    return {
        "token_verify_offline": figure(
            sizes.offline_verifications / offline_seconds,
            "per second",
            f"tokens.verify of a real {len(token)}-character token with the Ed25519 public "
            f"key (base45, zlib, COSE/CBOR, signature), {sizes.offline_verifications} times "
            f"in one process, no database; {offline_load}",
        ),
        "token_verify_online": figure(
            sizes.online_verifications / online_seconds,
            "per second",
            f"verification.verify_token of the same token, {sizes.online_verifications} times "
            "in one process: the signature, plus the result's status read from the "
            f"database (1 query; the signing key is read once and kept); {online_load}",
        ),
    }


def _dossier_counts() -> str:
    from django.db.models import Count

    from dossiers.constants import DossierState
    from dossiers.models import DeadlineAlert, Dossier

    by_state = dict(Dossier.objects.order_by().values_list("state").annotate(count=Count("id")))
    open_states = (
        DossierState.SUBMITTED,
        DossierState.RECEIVED,
        DossierState.SUPPLEMENT_REQUESTED,
    )
    return (
        f"{sum(by_state.values()):,} dossiers, "
        f"{sum(by_state.get(state, 0) for state in open_states):,} open, of which "
        f"{by_state.get(DossierState.RECEIVED, 0):,} received and "
        f"{by_state.get(DossierState.SUBMITTED, 0):,} submitted (the states the task reads); "
        f"{DeadlineAlert.objects.count():,} alerts written before"
    )


def measure_deadline_alerts(*, act_sample: int | None) -> dict:
    """The deadline-alert run over the bench database, in a transaction rolled back at the end.

    A first run over a database nobody has alerted yet writes an alert for
    every overdue or unreceived dossier (well over a hundred thousand at a
    million dossiers) and tells each agency's officers and supervisors once
    per kind. With `act_sample` None it is measured whole. Else it is
    measured in its two parts: collecting every alert due (all of it, as the
    task does), and acting on the first `act_sample` of them (per agency, as
    the task does), whose rate gives the time the rest would take. The remaining
    alerts are then written without their notifications, so that the second
    run meets what a complete first run leaves: nothing new to send.
    """
    from django.db import transaction
    from django.utils import timezone

    from dossiers import deadlines
    from dossiers.constants import AlertKind
    from dossiers.models import DeadlineAlert
    from notifications.models import Notification
    from procedures.calendar import WorkingCalendar

    log("Deadline alerts: counting the dossiers")
    size = _dossier_counts()

    class Rollback(Exception):
        pass

    log(f"Deadline alerts over {size}")
    load = load_average()
    outcome: dict = {}
    with contextlib.suppress(Rollback), transaction.atomic():
        now = timezone.now()
        if act_sample is None:
            started = time.perf_counter()
            first = deadlines.deadline_alerts_run(now)
            outcome["first_seconds"] = time.perf_counter() - started
            outcome["due"] = outcome["acted"] = first
            outcome["notifications"] = Notification.objects.filter(created_at__gte=now).count()
            log(f"  first run {outcome['first_seconds']:.2f} s: {first}")
        else:
            calendar = WorkingCalendar()
            started = time.perf_counter()
            collected = {
                AlertKind.DUE_SOON: list(deadlines.due_soon_ids(now, calendar=calendar)),
                AlertKind.OVERDUE: list(deadlines.overdue_ids(now)),
                AlertKind.NOT_RECEIVED: list(deadlines.not_received_ids(now, calendar=calendar)),
            }
            outcome["collect_seconds"] = time.perf_counter() - started
            outcome["due"] = {
                str(kind): sum(len(batch) for batch in batches)
                for kind, batches in collected.items()
            }
            log(f"  collected in {outcome['collect_seconds']:.2f} s: {outcome['due']}")
            # The sample takes from every kind in proportion to its alerts due,
            # the first ones as the run meets them, so that its rate is the
            # mix's. It acts per agency, as the task does, through its `alerts_send`.
            due_ids = {
                kind: [pk for batch in batches for pk in batch]
                for kind, batches in collected.items()
            }
            total_due = sum(map(len, due_ids.values()))
            taken = {
                kind: math.ceil(act_sample * len(pks) / total_due) if total_due else 0
                for kind, pks in due_ids.items()
            }
            acted: dict[str, int] = {}
            started = time.perf_counter()
            for kind, pks in due_ids.items():
                acted[str(kind)] = deadlines.alerts_send(kind, pks[: taken[kind]])
            outcome["act_seconds"] = time.perf_counter() - started
            outcome["acted"] = acted
            outcome["notifications"] = Notification.objects.filter(created_at__gte=now).count()
            log(f"  acted on {acted} in {outcome['act_seconds']:.2f} s")
            for kind, pks in due_ids.items():
                DeadlineAlert.objects.bulk_create(
                    [DeadlineAlert(dossier_id=pk, kind=kind) for pk in pks[taken[kind] :]],
                    batch_size=5000,
                    ignore_conflicts=True,
                )
        started = time.perf_counter()
        second = deadlines.deadline_alerts_run(timezone.now())
        outcome["second_seconds"] = time.perf_counter() - started
        outcome["second"] = second
        log(f"  second run {outcome['second_seconds']:.2f} s: {second}")
        # Everything the runs wrote goes; no delivery task was queued either,
        # as those are queued on commit.
        raise Rollback

    due, acted = outcome["due"], outcome["acted"]
    total_due, total_acted = sum(due.values()), sum(acted.values())
    by_kind = ", ".join(f"{kind} {count:,}" for kind, count in due.items())
    rows = outcome["notifications"]
    where = f"in one process, in a transaction rolled back afterwards; {load}"
    figures = {}
    if act_sample is None:
        figures["deadline_alerts_first_run"] = figure(
            outcome["first_seconds"],
            "seconds",
            f"deadline_alerts_run over {size}: {total_due:,} alerts written ({by_kind}) and "
            f"{rows:,} outbox rows; measured whole, {where}",
        )
    else:
        act_rate = total_acted / outcome["act_seconds"] if total_acted else 0.0
        rows_per_alert = rows / total_acted if total_acted else 0.0
        sampled = ", ".join(f"{kind} {count:,}" for kind, count in acted.items())
        figures["deadline_alerts_collect"] = figure(
            outcome["collect_seconds"],
            "seconds",
            f"collecting every alert due (keyset batches of {deadlines.BATCH_SIZE}) over "
            f"{size}: {total_due:,} alerts due ({by_kind}); {where}",
        )
        if total_acted:
            figures["deadline_alerts_act"] = figure(
                act_rate,
                "per second",
                f"alerts_send on {total_acted:,} of the alerts due, every kind in proportion "
                f"({sampled}): the alert rows, then one notify() per agency to its officers and "
                f"supervisors, {rows_per_alert:.2f} outbox rows per alert ({rows:,} in all); "
                f"{where}",
            )
        if total_acted >= total_due:
            seconds = outcome["collect_seconds"] + outcome["act_seconds"]
            how = "measured: collecting and acting on every alert due"
        else:
            seconds = outcome["collect_seconds"] + total_due / act_rate
            how = (
                f"estimated: the collection measured, plus {total_due:,} alerts at the rate "
                f"of deadline_alerts_act (about {total_due * rows_per_alert:,.0f} outbox rows)"
            )
        figures["deadline_alerts_first_run"] = figure(
            seconds,
            "seconds",
            f"deadline_alerts_run over a database with no alert yet: {total_due:,} alerts "
            f"({by_kind}); {how}",
        )
    figures["deadline_alerts_second_run"] = figure(
        outcome["second_seconds"],
        "seconds",
        f"deadline_alerts_run right after the first, every alert due written: "
        f"{sum(outcome['second'].values()):,} new; {where}",
    )
    return figures


def measure_all(sizes: Sizes, gateway: Gateway, workdir: Path) -> dict:
    figures: dict = {}
    fixtures = fixtures_create()
    worker = Worker(workdir / "worker.log")
    try:
        log(f"Starting a celery worker (prefork, concurrency {worker.concurrency})")
        worker.start()
        figures.update(measure_result_signing(fixtures, worker, sizes))
        figures.update(measure_outbox_worker(fixtures, worker, gateway, sizes))
        worker.stop()
        log("Worker stopped")
        figures.update(measure_outbox_sweep(fixtures, gateway, sizes))
        figures.update(measure_token_verification(fixtures, sizes))
        figures.update(measure_deadline_alerts(act_sample=sizes.alerts_sample))
    finally:
        worker.stop()
        fixtures_remove()
        _result_type_remove_if_created(fixtures)
    return figures


# --------------------------------------------------------------------------
# The command
# --------------------------------------------------------------------------


def _terminate(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.components", description=__doc__)
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL),
        help="the bench database (default: BENCH_DATABASE_URL, else portal_bench)",
    )
    parser.add_argument(
        "--broker-url",
        default=os.environ.get("BENCH_BROKER_URL", DEFAULT_BROKER_URL),
        help="a Redis database for this run alone; its queue is purged",
    )
    parser.add_argument("--quick", action="store_true", help="tiny sizes: does it all run?")
    parser.add_argument(
        "--deadline-sample",
        type=int,
        help="act on this many alerts of the first deadline run and estimate the rest",
    )
    parser.add_argument("--json", action="store_true", help="also print the figures as JSON")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    sizes = QUICK if args.quick else Sizes()
    if args.deadline_sample:
        sizes = dataclasses.replace(sizes, alerts_sample=args.deadline_sample)
    workdir = Path(tempfile.mkdtemp(prefix="portal-components-"))
    gateway = None
    try:
        gateway = Gateway()
        # Read by Django below and by the worker, which inherits this environment.
        os.environ.update(
            DJANGO_SETTINGS_MODULE="portal.settings",
            DATABASE_URL=args.database_url,
            CELERY_BROKER_URL=args.broker_url,
            CELERY_TASK_ALWAYS_EAGER="false",
            DEBUG="false",
            MEDIA_ROOT=str(workdir / "media"),
            NOTIFY_WEBHOOK_URL=gateway.url,
            NOTIFY_WEBHOOK_TOKEN="bench-components",
        )
        if not os.environ.get("SECRET_KEY"):
            os.environ["SECRET_KEY"] = secrets.token_urlsafe(50)
        import django

        django.setup()
        started = time.monotonic()
        figures = measure_all(sizes, gateway, workdir)
        log(f"Done in {time.monotonic() - started:.0f} s")
    finally:
        if gateway is not None:
            gateway.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    # With --json, stdout carries the JSON line for run_components; the table goes to stderr.
    table = sys.stderr if args.json else sys.stdout
    width = max(len(name) for name in figures)
    for name, value in figures.items():
        print(
            f"{name:<{width}}  {value['value']:>10,} {value['unit']:<10}  {value['detail']}",
            file=table,
        )
    if args.json:
        print(JSON_MARKER + json.dumps(figures, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
