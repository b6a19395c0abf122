"""Gunicorn settings for the portal's web process, read from the environment.

The container image runs `gunicorn --config portal/gunicorn.conf.py`; every
variable read here is listed with its default in `.env.example`. The file is
executed by gunicorn before Django is loaded, so it reads os.environ directly
instead of importing portal.env (importing the portal package would load the
Celery app in the gunicorn master).
"""

import os

# Without an explicit WEB_CONCURRENCY the worker count follows the CPUs, but a
# container often sees every CPU of its host while its quota is a fraction of
# them, and each worker holds a whole Django process plus one database
# connection per thread. The cap keeps a default start from exhausting memory
# or PostgreSQL's max_connections; set WEB_CONCURRENCY to go beyond it.
MAX_DEFAULT_WORKERS = 8


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise RuntimeError(f"{name} must be an integer, got {raw!r}") from exc
    if value < 1:
        raise RuntimeError(f"{name} must be at least 1, got {value}")
    return value


def _available_cpus() -> int:
    # sched_getaffinity honours `docker run --cpuset-cpus`; cpu_count does not.
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def default_workers() -> int:
    """Gunicorn's usual 2 x cores + 1, capped at MAX_DEFAULT_WORKERS."""
    return min(2 * _available_cpus() + 1, MAX_DEFAULT_WORKERS)


wsgi_app = "portal.wsgi:application"

# Port 8000 inside the container is what the image's HEALTHCHECK and the
# compose port mapping expect.
bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = _env_int("WEB_CONCURRENCY", default_workers())
# More than one thread switches gunicorn to its gthread worker, which keeps a
# slow client from holding a whole process when no buffering proxy is in front.
threads = _env_int("GUNICORN_THREADS", 2)
timeout = _env_int("GUNICORN_TIMEOUT", 30)
graceful_timeout = timeout
keepalive = 5

# Recycle workers now and then so a slow leak (PDF rendering, large uploads)
# cannot grow without bound; the jitter keeps them from restarting together.
max_requests = 1000
max_requests_jitter = 100

# The heartbeat file on a disk-backed filesystem can block workers; /dev/shm is
# a tmpfs in Docker (gunicorn's documented advice for containers).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

# Logs go to stdout/stderr, where the container runtime collects them.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# The last field is the response's X-Request-ID (portal/request_id.py), the id
# the application's log records of the same request carry.
access_log_format = (
    '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms %({x-request-id}o)s'
)

# Addresses of the reverse proxies whose X-Forwarded-* headers gunicorn trusts.
# Django decides separately whether to trust X-Forwarded-Proto
# (USE_X_FORWARDED_PROTO in the settings).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Prometheus metrics of several worker processes (portal/metrics.py): each
# worker counts its requests separately, so a scrape answered by one worker
# would see only its share. With PROMETHEUS_MULTIPROC_DIR set (a directory
# the workers may write, preferably a tmpfs), prometheus_client keeps every
# worker's counters in files there and a scrape adds them up. The variable
# must be in the environment before gunicorn starts, for the workers inherit it.
_prometheus_multiproc_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "").strip()

if _prometheus_multiproc_dir:

    def on_starting(server):
        """Start from an empty directory: files of a previous run would be added up too."""
        os.makedirs(_prometheus_multiproc_dir, exist_ok=True)
        for name in os.listdir(_prometheus_multiproc_dir):
            if name.endswith(".db"):
                os.remove(os.path.join(_prometheus_multiproc_dir, name))

    def child_exit(server, worker):
        """Forget an exited worker's live gauges (its counters stay in the sums)."""
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
