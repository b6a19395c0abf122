"""Prometheus metrics at /metrics, for the monitoring system only.

What is measured:

* requests, responses, views and database queries, by django-prometheus (its
  middlewares first and last in MIDDLEWARE, its database backends in
  DATABASES);
* the work waiting, read at scrape time (`PortalCollector`): messages in the
  Celery queues (LLEN in Redis), receipts and apology letters not made yet,
  results not signed yet, notifications pending or given up on in the outbox
  (cheap COUNTs on the sweepers' partial indexes). A number that stays above
  zero means workers or the broker are not keeping up, or tasks keep failing;
* task failures and retries, counted by the workers in Redis (portal.broker).

Nobody else may read them: queue sizes and backlogs say too much about the
service. /metrics answers only to the addresses in METRICS_ALLOWED_ADDRESSES
(the client's address as citizens.security sees it, so a proxy's own address
does not open it to everyone behind the proxy) or to a request with
`Authorization: Bearer <METRICS_TOKEN>`; anyone else gets the 404 page.

Gunicorn runs several worker processes, each with its own counters: a scrape
would see one worker's. With PROMETHEUS_MULTIPROC_DIR set, prometheus_client
keeps them in files there and every scrape adds them up (gunicorn.conf.py
empties the directory at start and forgets exited workers).
"""

import functools
import hmac
import ipaddress
import logging
import os

import prometheus_client
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError
from django.http import Http404, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import multiprocess
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector, CollectorRegistry

from citizens.security import client_address
from portal import broker

logger = logging.getLogger(__name__)


class PortalCollector(Collector):
    """The portal's own metrics, computed when Prometheus scrapes."""

    def collect(self):
        yield from self._backlog()
        if not broker.is_eager():
            yield from self._queues()
        yield from self._task_events()

    def _backlog(self):
        from dossiers.selectors import pending_pdf_counts
        from notifications.selectors import outbox_counts
        from results_store.selectors import unsigned_results_count

        try:
            pdfs = pending_pdf_counts()
            unsigned = unsigned_results_count()
            outbox = outbox_counts()
        except DatabaseError:
            logger.warning("Metrics: the database did not answer.", exc_info=True)
            return
        yield GaugeMetricFamily(
            "portal_receipts_pending",
            "Received dossiers whose receipt is not made yet.",
            pdfs["receipt"],
        )
        yield GaugeMetricFamily(
            "portal_apology_letters_pending",
            "Rescheduled dossiers whose apology letter is not made yet.",
            pdfs["apology"],
        )
        yield GaugeMetricFamily(
            "portal_results_unsigned", "Results issued but not signed yet.", unsigned
        )
        family = GaugeMetricFamily(
            "portal_notifications_outbox",
            "Notifications waiting to be sent (pending) or given up on (failed).",
            labels=["status"],
        )
        for status, count in sorted(outbox.items()):
            family.add_metric([status], count)
        yield family

    def _queues(self):
        up = GaugeMetricFamily("portal_celery_broker_up", "Whether the Celery broker answered.")
        try:
            lengths = broker.queue_lengths()
        except broker.BrokerUnavailable:
            logger.warning("Metrics: the Celery broker did not answer.", exc_info=True)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        family = GaugeMetricFamily(
            "portal_celery_queue_length", "Tasks waiting in the Celery queue.", labels=["queue"]
        )
        for queue, length in lengths.items():
            family.add_metric([queue], length)
        yield family

    def _task_events(self):
        for event, name, documentation in (
            ("failure", "portal_celery_task_failures", "Celery tasks that failed, by task."),
            ("retry", "portal_celery_task_retries", "Celery task retries, by task."),
        ):
            try:
                counts = broker.task_event_counts(event)
            except broker.BrokerUnavailable:
                continue
            family = CounterMetricFamily(name, documentation, labels=["task"])
            for task, count in sorted(counts.items()):
                family.add_metric([task], count)
            yield family


def _registries() -> list:
    """What a scrape reports: the process's (or every gunicorn worker's) metrics, then ours."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        shared = CollectorRegistry()
        multiprocess.MultiProcessCollector(shared)
    else:
        shared = prometheus_client.REGISTRY
    own = CollectorRegistry(auto_describe=False)
    own.register(PortalCollector())
    return [shared, own]


@functools.lru_cache(maxsize=8)
def _networks(addresses: tuple[str, ...]) -> tuple:
    try:
        return tuple(ipaddress.ip_network(address, strict=False) for address in addresses)
    except ValueError as exc:
        raise ImproperlyConfigured(f"METRICS_ALLOWED_ADDRESSES: {exc}") from exc


def _address_allowed(address: str | None) -> bool:
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    candidates = [ip]
    if ip.version == 6 and ip.ipv4_mapped:
        candidates.append(ip.ipv4_mapped)
    networks = _networks(tuple(settings.METRICS_ALLOWED_ADDRESSES))
    return any(candidate in network for candidate in candidates for network in networks)


def _token_given(request) -> bool:
    token = settings.METRICS_TOKEN
    if not token:
        return False
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode(), token.encode()
    )


def metrics_allowed(request) -> bool:
    return _token_given(request) or _address_allowed(client_address(request))


@never_cache
@require_GET
def metrics(request):
    if not metrics_allowed(request):
        raise Http404
    body = b"".join(prometheus_client.generate_latest(registry) for registry in _registries())
    return HttpResponse(body, content_type=prometheus_client.CONTENT_TYPE_LATEST)
