"""The Content-Security-Policy every page is sent with (django-csp).

Pages load scripts, styles, fonts and images from the portal itself only; the
one script a page needs (the QR scanner) carries the request's nonce, so an
injected ``<script>`` or an inline event handler never runs, whatever text an
administrator or a citizen managed to put on a page. Inline ``style``
attributes are refused too; the stylesheet has classes for them.

The exception is Django's admin, which prints one small inline ``<style>`` on
change lists without actions. It is allowed by its hash, read from the
installed template so that an upgrade of Django cannot silently break it.
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path
from urllib.parse import urlsplit

from csp.constants import NONCE, NONE, SELF

_STYLE_BLOCK = re.compile(r"<style>(.*?)</style>", re.DOTALL)


def admin_inline_style_hashes() -> list[str]:
    """CSP sources ('sha256-…') for the inline styles of Django's admin templates."""
    import django

    template = Path(django.__file__).parent / "contrib/admin/templates/admin/change_list.html"
    try:
        text = template.read_text(encoding="utf-8")
    except OSError:
        return []
    hashes = []
    for block in _STYLE_BLOCK.findall(text):
        digest = base64.b64encode(hashlib.sha256(block.encode("utf-8")).digest()).decode()
        hashes.append(f"'sha256-{digest}'")
    return hashes


def content_security_policy(*, identity_issuer: str = "", report_uri: str = "") -> dict:
    """The django-csp setting: one policy for every response."""
    form_action = [SELF]
    if identity_issuer:
        # Signing in with the national identity provider leaves the portal by a
        # redirect; browsers check form-action against redirects after a POST.
        parts = urlsplit(identity_issuer)
        form_action.append(f"{parts.scheme}://{parts.netloc}")
    directives = {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, *admin_inline_style_hashes()],
        # data: for the QR codes drawn inline (second-factor enrolment).
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        # The officer's inline preview of an uploaded PDF is an <object> of
        # the portal's own download URL.
        "object-src": [SELF],
        "frame-src": [SELF],
        "base-uri": [NONE],
        "form-action": form_action,
        "frame-ancestors": [NONE],
    }
    if report_uri:
        directives["report-uri"] = [report_uri]
    return {"DIRECTIVES": directives}
