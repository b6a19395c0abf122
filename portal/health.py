"""Readiness: can this web process serve requests with everything they need?

`/healthz` (portal.views.healthz) is the liveness probe: the process answers
and reaches its database; the image's HEALTHCHECK and docker compose use it.
`/readyz` is the readiness probe, for a load balancer or an orchestrator
deciding whether to send traffic here: the database, the cache, the Celery
broker and the default file storage (a small file written, read and deleted)
are checked at once by django-health-check, and the answer is 200 with
`"status": "ok"` or 503 naming the component that failed. The broker is not
checked when tasks run eagerly (`make run`, no Redis): it reads "skipped".

The answers say "ok" or "unavailable" only; why a check failed is logged
(django-health-check's `health_check` logger), not shown to whoever probes.
"""

import asyncio
import dataclasses
import datetime

from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from health_check.base import HealthCheck
from health_check.checks import Cache, Database, Storage
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView

from portal import broker

OK = "ok"
UNAVAILABLE = "unavailable"
SKIPPED = "skipped"


@dataclasses.dataclass
class Broker(HealthCheck):
    """The Celery broker answers a ping within CELERY_BROKER_CONNECTION_TIMEOUT."""

    timeout = datetime.timedelta(seconds=5)

    def run(self):
        try:
            broker.ping()
        except broker.BrokerUnavailable as exc:
            raise ServiceUnavailable(f"Celery broker not answering ({exc})") from exc


class ReadinessView(HealthCheckView):
    # Component name in the answer, and its check.
    components = {
        "database": Database,
        "cache": Cache,
        "broker": Broker,
        "storage": Storage,
    }

    def get_checks(self):
        for name, check in self.components.items():
            if name == "broker" and broker.is_eager():
                continue
            yield name, check()

    async def get(self, request, *args, **kwargs):
        named = list(self.get_checks())
        with self.get_executor() as executor:
            results = await asyncio.gather(*(check.get_result(executor) for _, check in named))
        body = dict.fromkeys(self.components, SKIPPED)
        for (name, _check), result in zip(named, results, strict=True):
            body[name] = UNAVAILABLE if result.error else OK
        ready = UNAVAILABLE not in body.values()
        return JsonResponse(
            {"status": OK if ready else "error", **body}, status=200 if ready else 503
        )


readyz = never_cache(ReadinessView.as_view())
