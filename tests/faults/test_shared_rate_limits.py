"""Rate limits hold across web processes: they are counted in the shared cache.

The audit found 58 of 70 lookups passing a limit of 30 on two gunicorn
workers, each counting on its own. Here two workers share a Redis of the
test's own as their cache, and the limit holds whichever worker answers.
"""

import urllib.error
import urllib.request

import pytest

from tests.faults.own_gunicorn import OwnGunicorn
from tests.faults.own_redis import OwnRedis

pytestmark = pytest.mark.django_db(transaction=True)

LIMIT = 30
ATTEMPTS = 70


@pytest.fixture
def web():
    cache = OwnRedis()
    cache.start()
    server = OwnGunicorn(
        workers=2,
        threads=2,
        env={
            "CACHE_URL": cache.url,
            "DOSSIER_LOOKUP_RATE_PER_ADDRESS": f"{LIMIT}/h",
            "CELERY_TASK_ALWAYS_EAGER": "true",
        },
    )
    try:
        server.start()
        yield server
    finally:
        server.stop()
        cache.stop()


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_lookups_from_one_address_are_limited_across_two_workers(web):
    answers = [
        _status(f"{web.url}/lookup/?code=000.01.00.H15-261207-{number:04d}&pin=12345678")
        for number in range(ATTEMPTS)
    ]
    assert answers.count(200) == LIMIT
    assert answers.count(429) == ATTEMPTS - LIMIT
