"""The portal served by gunicorn, as deployed, for tests that need real web processes.

Settings reach the processes through the environment only (as in production):
the test database pytest-django made, plus whatever the test adds (a cache or
a broker of its own). The server listens on 127.0.0.1 on a free port and is
stopped by its pid.
"""

import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import requests
from django.db import connection

from tests.faults.own_redis import free_port

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_SECONDS = 30


def test_database_url() -> str:
    """The URL of the database this test session runs on."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    port = db.get("PORT") or 5432
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{port}/{db['NAME']}"


class OwnGunicorn:
    # A deployment refuses the development key; a test that signs someone in
    # from its own process sets this key in its settings too (sessions are
    # bound to it).
    SECRET_KEY = "fault-test-secret-key-" + "x" * 40

    def __init__(
        self,
        *,
        workers: int = 2,
        threads: int = 4,
        env: dict | None = None,
        database_url: str | None = None,
    ):
        self.database_url = database_url
        self.port = free_port()
        self.workers = workers
        self.threads = threads
        self.extra_env = env or {}
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        env = {
            **os.environ,
            "DATABASE_URL": self.database_url or test_database_url(),
            "DATABASE_CONN_MAX_AGE": "0",
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "WEB_CONCURRENCY": str(self.workers),
            "GUNICORN_THREADS": str(self.threads),
            "DEBUG": "false",
            "SECURE_SSL_REDIRECT": "false",
            "SECRET_KEY": self.SECRET_KEY,
            "SIGNING_KEYS_ENCRYPTION_KEY": os.environ.get(
                "SIGNING_KEYS_ENCRYPTION_KEY", "ZmF1bHQtdGVzdC1rZXktMzItYnl0ZXMtbG9uZy0xMjM="
            ),
            "LOG_LEVEL": "warning",
            **self.extra_env,
        }
        # The server's own log, read back when it fails to start.
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - open while the server runs
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "portal/gunicorn.conf.py"],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited while starting:\n{self.output()}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=1):
                    return
            except (urllib.error.URLError, OSError):
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not answer /healthz in time")

    def officer_browser(self, session_id: str) -> requests.Session:
        """A browser signed in with `session_id`, on the queue page, ready to post forms."""
        browser = requests.Session()
        browser.cookies.set("sessionid", session_id)
        queue = browser.get(f"{self.url}/officer/queue/", allow_redirects=False, timeout=10)
        if queue.status_code != 200:
            raise RuntimeError(f"the session is not signed in (HTTP {queue.status_code})")
        browser.headers["X-CSRFToken"] = browser.cookies["csrftoken"]
        return browser

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-4000:]

    def stop(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
            self.process = None
            self.log.close()
