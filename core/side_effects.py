"""Queueing work after a commit, so that nothing a request committed is lost or fails it.

A receipt, a result's signature, a notification: each is recorded on its row
first (a dossier without its receipt, a result being prepared, a pending
notification), and its task is queued once the transaction commits. If the
broker is down then, the request that committed still answers normally; a
periodic sweeper finds the rows still waiting and queues them again
(`dossiers.tasks.sweep_pdfs_task`, `results_store.tasks.sweep_unsigned_results_task`,
`notifications.tasks.sweep_outbox_task`).
Tasks are safe to run twice, so a task queued by both is harmless.
"""

import logging

from django.db import InterfaceError, OperationalError, transaction

logger = logging.getLogger(__name__)

# Publishing waits this long for a broker that does not answer, once: a
# request must not hang on it, and the sweeper retries later anyway.
PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5}

# What a task retries on: storage and network hiccups, and a database that is
# restarting. With late acknowledgement a task that gave up is still found
# by the sweeper.
RETRY_ON = (OSError, OperationalError, InterfaceError)

# The options of every task that makes a side effect from a row's id:
# `@shared_task(**ROW_TASK)`. Late acknowledgement, so a dead worker's task
# comes back; retries with backoff on the errors above.
ROW_TASK = {
    "acks_late": True,
    "autoretry_for": RETRY_ON,
    "retry_backoff": True,
    "max_retries": 5,
    "ignore_result": True,
}


def queue(task, *args) -> bool:
    """Queue `task(*args)` now; False if the broker cannot take it (logged, never raised)."""
    try:
        task.apply_async(args=args, retry=True, retry_policy=PUBLISH_RETRY_POLICY)
    except Exception:
        logger.warning(
            "Could not queue %s%r; the sweeper will queue it again.", task.name, args, exc_info=True
        )
        return False
    return True


def queue_on_commit(task, *args) -> None:
    """Queue `task(*args)` once the current transaction commits; a broker failure fails nothing.

    The hook is a named function, not a functools.partial: Django logs a
    failing robust hook by its `__qualname__`, which a partial does not have.
    """

    def queue_committed():
        queue(task, *args)

    queue_committed.__qualname__ = f"queue_on_commit({task.name})"
    transaction.on_commit(queue_committed, robust=True)


def after_commit(function, *args) -> None:
    """Run `function(*args)` once the transaction commits; a failure is logged, never raised.

    For what only helps (forgetting a cached count, deleting a replaced file):
    the cache or the storage being down must not turn a committed request
    into an error page.
    """

    def run_committed():
        function(*args)

    run_committed.__qualname__ = f"after_commit({getattr(function, '__qualname__', function)})"
    transaction.on_commit(run_committed, robust=True)
