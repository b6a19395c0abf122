"""What the fault tests share: a media folder of the test's own and a broker they can stop."""

import pytest

from tests.faults.own_redis import OwnRedis, broker_on


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def redis():
    """A Redis of the test's own as the Celery broker, for this process and its children."""
    server = OwnRedis()
    server.start()
    try:
        with broker_on(server):
            yield server
    finally:
        server.stop()
