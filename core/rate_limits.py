"""Counting attempts against a rate, in the cache every web process shares.

One helper for every throttle of the portal (sign-in mails, registration, the
public dossier lookup), on django-ratelimit: its counters live in the default
cache, which a deployment points at Redis (CACHE_URL; the deploy checks warn
otherwise), so two gunicorn workers or two web hosts count the same attempts.
"""

from __future__ import annotations

from django_ratelimit.core import is_ratelimited


def over_limit(request, *, group: str, key: str, rate: str) -> bool:
    """Count this attempt under ``(group, key)``; True once ``rate`` ("10/h") is exceeded.

    ``key`` says whose attempts are counted: an address, an e-mail, a dossier
    code. Counting happens on every call, refused or not, so hammering a
    limit does not reset it.
    """
    return is_ratelimited(
        request,
        group=group,
        key=lambda _group, _request: key,
        rate=rate,
        increment=True,
    )
