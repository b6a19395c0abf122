"""Short, direct looks at the Celery broker, for the readiness probe and the metrics.

The broker is Redis (CELERY_BROKER_URL). Each look opens a client of its own
with CELERY_BROKER_CONNECTION_TIMEOUT as its socket timeouts, so a broker that
does not answer makes a probe or a scrape fail quickly instead of holding a
web worker. With CELERY_TASK_ALWAYS_EAGER (`make run`) there is no broker to
look at: tasks run in the process that queues them.

Task failures and retries happen in the worker processes, not in the web
process that serves /metrics, so the workers count them in a Redis hash next
to the queues (`count_task_event`), and a scrape reads the hash. Without a
Redis broker they are counted in the process itself, which is where eager
tasks run.
"""

import collections
import logging
import threading

from django.conf import settings

logger = logging.getLogger(__name__)

TASK_EVENTS = ("failure", "retry")
_COUNTER_KEY = "portal:metrics:celery_task_{event}s"
_REDIS_SCHEMES = ("redis://", "rediss://", "unix://")

_clients = {}
_clients_lock = threading.Lock()
_local_counts = {event: collections.Counter() for event in TASK_EVENTS}


class BrokerUnavailable(Exception):
    pass


def is_eager() -> bool:
    return bool(settings.CELERY_TASK_ALWAYS_EAGER)


def _timeout() -> float:
    return float(settings.CELERY_BROKER_CONNECTION_TIMEOUT)


def _redis():
    """A Redis client for the broker (shared per URL: redis-py pools are thread-safe), or None."""
    url = settings.CELERY_BROKER_URL or ""
    if not url.startswith(_REDIS_SCHEMES):
        return None
    key = (url, _timeout())
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            import redis

            client = redis.Redis.from_url(url, socket_connect_timeout=key[1], socket_timeout=key[1])
            _clients[key] = client
    return client


def ping() -> None:
    """Raise BrokerUnavailable unless the broker answers within the timeout."""
    client = _redis()
    try:
        if client is not None:
            client.ping()
        else:
            # Another transport: let kombu connect, once, within the timeout.
            from kombu import Connection

            with Connection(settings.CELERY_BROKER_URL, connect_timeout=_timeout()) as conn:
                conn.ensure_connection(max_retries=1, interval_start=0, timeout=_timeout())
    except Exception as exc:
        raise BrokerUnavailable(type(exc).__name__) from exc


def queue_names() -> list[str]:
    from portal.celery import app

    queues = app.conf.task_queues
    if queues:
        return sorted({queue.name for queue in queues})
    return [app.conf.task_default_queue]


def queue_lengths() -> dict[str, int]:
    """Messages waiting in each queue (LLEN; kombu keeps a Redis queue as a list)."""
    client = _redis()
    if client is None:
        raise BrokerUnavailable("not a Redis broker")
    names = queue_names()
    try:
        with client.pipeline(transaction=False) as pipe:
            for name in names:
                pipe.llen(name)
            lengths = pipe.execute()
    except Exception as exc:
        raise BrokerUnavailable(type(exc).__name__) from exc
    return dict(zip(names, (int(length) for length in lengths), strict=True))


def count_task_event(event: str, task_name: str) -> None:
    """Count a task's failure or retry; never raises (it runs inside Celery's signals)."""
    client = None if is_eager() else _redis()
    if client is None:
        _local_counts[event][task_name] += 1
        return
    try:
        client.hincrby(_COUNTER_KEY.format(event=event), task_name, 1)
    except Exception:
        logger.warning("Could not count the %s of %s in Redis.", event, task_name, exc_info=True)


def task_event_counts(event: str) -> dict[str, int]:
    """The failures or retries counted so far, per task name."""
    client = None if is_eager() else _redis()
    if client is None:
        return dict(_local_counts[event])
    try:
        raw = client.hgetall(_COUNTER_KEY.format(event=event))
    except Exception as exc:
        raise BrokerUnavailable(type(exc).__name__) from exc
    return {name.decode(): int(count) for name, count in raw.items()}
