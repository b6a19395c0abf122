"""Throttling of failed logins, per account identifier and per client address.

Counts live in the cache (Redis in a deployment, so every web process sees the
same counts). After LOGIN_MAX_FAILURES failures within the window, attempts
for that identifier or address are refused for LOGIN_LOCKOUT_SECONDS, without
checking the password, so guessing cannot continue.
"""

import hashlib

from django.core.cache import cache

from citizens.constants import LOGIN_LOCKOUT_SECONDS, LOGIN_MAX_FAILURES


def _key(kind: str, value: str) -> str:
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]
    return f"login-failures:{kind}:{digest}"


def _keys(identifier: str, address: str | None) -> list[str]:
    keys = [_key("id", identifier)]
    if address:
        keys.append(_key("ip", address))
    return keys


def login_blocked(identifier: str, address: str | None) -> bool:
    counts = cache.get_many(_keys(identifier, address))
    return any(count >= LOGIN_MAX_FAILURES for count in counts.values())


def login_failed(identifier: str, address: str | None) -> None:
    for key in _keys(identifier, address):
        # add() starts the window; incr() keeps its expiry.
        if not cache.add(key, 1, LOGIN_LOCKOUT_SECONDS):
            try:
                cache.incr(key)
            except ValueError:  # expired between add() and incr()
                cache.add(key, 1, LOGIN_LOCKOUT_SECONDS)


def login_succeeded(identifier: str) -> None:
    cache.delete(_key("id", identifier))


def client_address(request) -> str | None:
    return request.META.get("REMOTE_ADDR")
