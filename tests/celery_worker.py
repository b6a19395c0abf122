"""A real Celery worker for integration tests, consuming from the real Redis broker.

Tasks are not run eagerly: the test process queues them on the broker named by
`CELERY_BROKER_URL` (`make test` uses a Redis database of its own) and an
embedded worker, a thread of the test process, takes them from there. It runs
the project's app, `portal.celery.app`, with the solo pool, so tasks execute in
that thread with their own database connection.

Consequences for tests, written down in the fixture's docstring too:

* The worker's connection cannot see a test's uncommitted transaction, so the
  tests need `transactional_db` (the fixture requests it).
* Settings are process-wide, so an overridden setting (MEDIA_ROOT through the
  `settings` fixture) applies to the worker as well.
* Celery's Django fix-up closes the worker thread's database connections
  before and after each task, so none is left open when the test database is
  flushed or dropped. The portal's CELERY_DB_REUSE_MAX (keep a connection for
  100 tasks, as deployed workers do) is turned off here for that reason: the
  thread's last connection would outlive the test.
"""

import contextlib

from celery.contrib.testing.worker import start_worker

from portal.celery import app


@contextlib.contextmanager
def running_worker():
    """Start an embedded worker on an emptied queue; stop it on leaving."""
    if app.conf.task_always_eager:
        raise RuntimeError(
            "CELERY_TASK_ALWAYS_EAGER is on: tasks would never reach the worker. "
            "Unset it for the tests."
        )
    # A worker configures logging as it starts; keep pytest's handlers.
    hijack = app.conf.worker_hijack_root_logger
    app.conf.worker_hijack_root_logger = False
    # Celery's Django fix-up reads the Django setting's own name.
    reuse = app.conf.get("CELERY_DB_REUSE_MAX")
    app.conf.CELERY_DB_REUSE_MAX = 0
    try:
        # Tasks queued by an earlier, interrupted run must not run against this one.
        app.control.purge()
        with start_worker(
            app,
            pool="solo",
            concurrency=1,
            perform_ping_check=False,
            loglevel="WARNING",
            shutdown_timeout=10,
        ) as worker:
            yield worker
    finally:
        app.conf.worker_hijack_root_logger = hijack
        app.conf.CELERY_DB_REUSE_MAX = reuse
