"""The client's address, as lockouts, rate limits and audit rows see it.

Behind reverse proxies the connection comes from the last proxy, and the
client is in X-Forwarded-For, which anyone can also send. Only the entry the
outermost trusted proxy appended is believed (TRUSTED_PROXY_COUNT proxies in
front, each appending the address it saw); anything to its left was sent by
the client. With no trusted proxy the header is ignored altogether.
"""

from django.conf import settings
from ipware import get_client_ip


def client_address(request) -> str | None:
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return request.META.get("REMOTE_ADDR") or None
    # django-ipware counts the proxies listed in the header; the one nearest
    # the portal is not (its address is REMOTE_ADDR). Lenient matching counts
    # from the right, so whatever a client prepended is skipped.
    address, _routable = get_client_ip(
        request,
        proxy_count=proxies - 1,
        request_header_order=["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"],
        strict=False,
    )
    return address or request.META.get("REMOTE_ADDR") or None
