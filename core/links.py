"""The portal's public address, for links that leave the request.

E-mails, SMS, PDFs, QR codes and the status list are read somewhere else and
later, so their links name `PORTAL_BASE_URL`, the one setting for the site's
address (`make run` sets it from the port it serves), never the Host header a
request happened to carry: a forged Host must not put its own address into a
password reset e-mail, and a receipt printed behind a proxy must not name the
proxy's inside address.
"""

from urllib.parse import urlsplit

from django.conf import settings


def public_url(path: str) -> str:
    """A path of the portal as an address that works outside it; a full URL stays as it is."""
    if not path or urlsplit(path).scheme:
        return path
    return f"{settings.PORTAL_BASE_URL}{path}"
