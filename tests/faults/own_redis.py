"""A Redis server of the test's own, on a free port, that the test stops and starts.

Fault tests never touch the machine's shared Redis: they start `redis-server`
here, point the Celery app's broker at it, and stop it by its pid.
"""

import contextlib
import os
import socket
import subprocess
import time

from portal.celery import app

START_TIMEOUT_SECONDS = 10


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class OwnRedis:
    def __init__(self):
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port),
             "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2),
            ):
                return
            time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None


def _reset_connections() -> None:
    """Make the app look its pools up again, so the next publish dials the current URL.

    kombu keeps one pool per broker URL, process-wide: the pools themselves are
    left open, for the other URL's turn.
    """
    app._pool = None
    app.amqp._producer_pool = None


@contextlib.contextmanager
def broker_on(redis: OwnRedis):
    """The Celery app's broker is `redis` while inside.

    Celery reads CELERY_BROKER_URL from the environment before its own
    configuration (the test command exports it), so both are switched; a
    worker process started inside inherits the environment.
    """
    previous = app.conf.broker_url
    previous_env = os.environ.get("CELERY_BROKER_URL")
    os.environ["CELERY_BROKER_URL"] = redis.url
    app.conf.broker_url = redis.url
    _reset_connections()
    try:
        yield
    finally:
        app.conf.broker_url = previous
        if previous_env is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = previous_env
        _reset_connections()
