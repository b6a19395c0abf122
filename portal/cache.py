"""A Redis cache that a Redis outage degrades instead of breaking.

Everything the portal keeps in its cache can be recomputed: figures, counts,
rendered open data, rate-limit counters. When the cache's Redis stops
answering, reads miss and writes are dropped, so pages are slower but served;
after a failure the cache is skipped for a few seconds instead of waiting on
every call for the connection to time out. Rate limits then let attempts
through (sign-in lockouts are in the database and still hold); the outage is
logged once per pause.
"""

from __future__ import annotations

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# How long a failed cache is left alone before it is tried again.
PAUSE_SECONDS = 5.0


class TolerantRedisCache(RedisCache):
    _paused_until = 0.0

    def _call(self, method: str, default, *args, **kwargs):
        if time.monotonic() < self._paused_until:
            return default
        try:
            return getattr(super(), method)(*args, **kwargs)
        except RedisError as error:
            self._paused_until = time.monotonic() + PAUSE_SECONDS
            logger.warning(
                "Cache unavailable (%s); going on without it for %s s.",
                error.__class__.__name__,
                PAUSE_SECONDS,
            )
            return default

    def get(self, key, default=None, version=None):
        return self._call("get", default, key, default, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", {}, keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", False, key, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._call("set", None, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", [], data, timeout, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        # Nothing was stored: callers that add to take a lock do not get it.
        return self._call("add", False, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", False, key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", False, key, version)

    def delete_many(self, keys, version=None):
        self._call("delete_many", None, keys, version)

    def incr(self, key, delta=1, version=None):
        # As for a missing key: counters start again once the cache is back.
        if time.monotonic() < self._paused_until:
            raise ValueError(f"Key '{key}' not found (cache unavailable).")
        try:
            return super().incr(key, delta, version)
        except RedisError as error:
            self._paused_until = time.monotonic() + PAUSE_SECONDS
            logger.warning("Cache unavailable (%s) for a counter.", error.__class__.__name__)
            raise ValueError(f"Key '{key}' not found (cache unavailable).") from error

    def clear(self):
        return self._call("clear", False)
