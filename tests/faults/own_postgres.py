"""A PostgreSQL cluster of the test's own, on a free port, that the test restarts.

Fault tests never touch the machine's shared cluster: this one is made with
Debian's `pg_createcluster` (trust authentication, listening on 127.0.0.1
only, no fsync: its data is thrown away), restarted with `pg_ctlcluster`,
and dropped with `pg_dropcluster` when the test ends.
"""

import subprocess
import time
import uuid
from pathlib import Path

import psycopg

from tests.faults.own_redis import free_port

VERSION = "15"
START_TIMEOUT_SECONDS = 30


def _run(*command: str) -> None:
    subprocess.run(command, check=True, capture_output=True, text=True, timeout=120)


class OwnPostgres:
    def __init__(self):
        self.port = free_port()
        self.name = f"fault-{self.port}-{uuid.uuid4().hex[:6]}"
        self.created = False

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def create(self) -> None:
        _run(
            "pg_createcluster", VERSION, self.name, "--port", str(self.port),
            "--start-conf", "manual",
            "--", "--auth-local=trust", "--auth-host=trust",
        )  # fmt: skip
        self.created = True
        # conf.d is read after postgresql.conf, so these win.
        Path(f"/etc/postgresql/{VERSION}/{self.name}/conf.d/fault-test.conf").write_text(
            "listen_addresses = '127.0.0.1'\n"
            "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n",
            encoding="utf-8",
        )
        self.start()

    def start(self) -> None:
        _run("pg_ctlcluster", VERSION, self.name, "start")
        self.wait_until_up()

    def stop(self) -> None:
        _run("pg_ctlcluster", VERSION, self.name, "stop", "--mode", "fast")

    def wait_until_up(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while True:
            try:
                with psycopg.connect(self.url(), connect_timeout=1):
                    return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def create_database(self, name: str) -> str:
        with psycopg.connect(self.url(), autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop(self) -> None:
        if self.created:
            subprocess.run(
                ["pg_dropcluster", VERSION, self.name, "--stop"],
                capture_output=True,
                timeout=120,
                check=False,
            )
            self.created = False
