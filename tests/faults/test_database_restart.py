"""PostgreSQL restarted while officers receive dossiers: refusals, never a lost write.

The whole portal runs as deployed, in processes of its own: gunicorn (two
workers, four threads, persistent connections) and a Celery worker, on a
PostgreSQL cluster and a Redis of the test's own. Officers receive sixty
dossiers from four browsers at once while the cluster is stopped for three
seconds and started again. Every answer must be either the usual redirect
(the reception was recorded) or a 503 saying nothing was recorded: a retry of
a 503 then succeeds, it never finds the dossier already received (which
would mean a 500 after commit). Once the database is back, every dossier gets
exactly one receipt within a minute, whatever tasks the restart interrupted.
"""

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg
import pytest
import requests

from tests.faults.own_gunicorn import OwnGunicorn
from tests.faults.own_postgres import OwnPostgres
from tests.faults.own_redis import OwnRedis

ROOT = Path(__file__).resolve().parents[2]
DOSSIERS = 60
BROWSERS = 4
OUTAGE_SECONDS = 3
RECEIPTS_WITHIN_SECONDS = 60

SEED = """
import json
from django.test import Client
from dossiers.constants import DossierState
from tests.accounts import pass_second_factor
from tests.dossiers.builders import cast, dossier_in
c = cast()
ids = [dossier_in(DossierState.SUBMITTED, c).pk for _ in range({count})]
client = Client()
client.force_login(c.officer)
pass_second_factor(client, c.officer)
print("SEED " + json.dumps({{"ids": ids, "session": client.cookies["sessionid"].value}}))
"""


@pytest.fixture
def portal(tmp_path):
    """Database, broker, web and worker of the test's own; yields what the test needs."""
    postgres, redis = OwnPostgres(), OwnRedis()
    web = worker = None
    try:
        postgres.create()
        redis.start()
        env = {
            **os.environ,
            "DATABASE_URL": postgres.create_database("portal_fault"),
            "CELERY_BROKER_URL": redis.url,
            "MEDIA_ROOT": str(tmp_path / "media"),
            "DEBUG": "false",
            "SECURE_SSL_REDIRECT": "false",
            # Plain HTTP on 127.0.0.1: cookies must not be HTTPS-only.
            "SECURE_COOKIES": "false",
            "SECRET_KEY": "fault-test-secret-key-" + "y" * 40,
            "SIGNING_KEYS_ENCRYPTION_KEY": "ZmF1bHQtdGVzdC1rZXktMzItYnl0ZXMtbG9uZy0xMjM=",
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "LOG_LEVEL": "WARNING",
        }
        manage = [sys.executable, "manage.py"]
        subprocess.run([*manage, "migrate", "--noinput"], cwd=ROOT, env=env, check=True,
                       capture_output=True, timeout=300)  # fmt: skip
        seeded = subprocess.run([*manage, "shell", "-c", SEED.format(count=DOSSIERS)],
                                cwd=ROOT, env=env, check=True, capture_output=True,
                                text=True, timeout=120)  # fmt: skip
        seed = json.loads(seeded.stdout.rsplit("SEED ", 1)[1])
        web = OwnGunicorn(
            workers=2,
            threads=4,
            database_url=env["DATABASE_URL"],
            env={**{k: env[k] for k in ("CELERY_BROKER_URL", "MEDIA_ROOT", "SECRET_KEY",
                                        "SIGNING_KEYS_ENCRYPTION_KEY", "SECURE_COOKIES")},
                 "DATABASE_CONN_MAX_AGE": "60"},
        )  # fmt: skip
        web.start()
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool", "prefork",
             "--concurrency", "2", "-l", "warning"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip
        yield postgres, web, seed, env["DATABASE_URL"], tmp_path / "media"
    finally:
        if worker is not None:
            worker.terminate()
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()
        if web is not None:
            web.stop()
        redis.stop()
        postgres.drop()


def _receive(browser, web, pk) -> int:
    try:
        response = browser.post(
            f"{web.url}/officer/dossiers/{pk}/receive/", allow_redirects=False, timeout=30
        )
    except requests.ConnectionError:
        return 0
    return response.status_code


def test_a_database_restart_refuses_some_requests_and_loses_nothing(portal):
    postgres, web, seed, database_url, media = portal
    ids = seed["ids"]
    answers: dict[int, list[int]] = {pk: [] for pk in ids}

    def browse(browser, share):
        for pk in share:
            answers[pk].append(_receive(browser, web, pk))
            time.sleep(0.5)

    # Signed in and on the queue before the database goes away.
    sessions = [web.officer_browser(seed["session"]) for _ in range(BROWSERS)]
    browsers = [
        threading.Thread(target=browse, args=(sessions[n], ids[n::BROWSERS]))
        for n in range(BROWSERS)
    ]
    for browser in browsers:
        browser.start()
    time.sleep(0.8)
    postgres.stop()
    time.sleep(OUTAGE_SECONDS)
    postgres.start()
    back_at = time.monotonic()
    for browser in browsers:
        browser.join(timeout=120)

    # The officer tries again what was refused, as the page asks.
    retry = web.officer_browser(seed["session"])
    for pk, statuses in answers.items():
        while statuses[-1] in (0, 503) and len(statuses) < 20:
            time.sleep(0.5)
            statuses.append(_receive(retry, web, pk))

    refused = [s for statuses in answers.values() for s in statuses if s != 302]
    assert refused, "the restart did not meet any request"
    assert set(refused) <= {503}, f"answers other than 302 and 503: {answers}"
    assert all(statuses[-1] == 302 and statuses.count(302) == 1 for statuses in answers.values())
    # The web processes reconnect by themselves: the last dossiers of each
    # browser, asked after the restart, were received at the first try.
    assert all(answers[pk] == [302] for pk in ids[-BROWSERS:])

    with psycopg.connect(database_url, autocommit=True) as db:
        events = dict(
            db.execute(
                "SELECT dossier_id, count(*) FROM dossiers_dossierevent "
                "WHERE action = 'receive' GROUP BY dossier_id"
            ).fetchall()
        )
        assert events == dict.fromkeys(ids, 1)
        deadline = back_at + RECEIPTS_WITHIN_SECONDS
        while True:
            missing = db.execute(
                "SELECT count(*) FROM dossiers_dossier WHERE id = ANY(%s) AND receipt_pdf = ''",
                [ids],
            ).fetchone()[0]
            if not missing or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert missing == 0, f"{missing} receipts not made within {RECEIPTS_WITHIN_SECONDS} s"
        names = {row[0] for row in db.execute(
            "SELECT receipt_pdf FROM dossiers_dossier WHERE id = ANY(%s)", [ids])}  # fmt: skip
    files = {f"receipts/{path.name}" for path in (media / "receipts").iterdir()}
    assert files == names
