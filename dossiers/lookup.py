"""Looking a dossier up by its code and the PIN printed on its receipt.

Dossier codes follow the national format (ADR 4): the agency, the day, and a
number that counts up. Anyone can guess the codes of a day, so a code alone
reveals nothing; with it goes a lookup PIN of eight random digits, given when
the dossier is submitted, shown to the applicant on their dossier page and
printed on the receipt (also inside its QR code). Attempts are counted per
connection and per code in the shared cache, so guessing a PIN is hopeless.
"""

from __future__ import annotations

import hmac
import re
import secrets
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse

LOOKUP_PIN_DIGITS = 8
# People copy a PIN from paper with the space it is printed with, or a dash.
_PIN_SEPARATORS = re.compile(r"[\s.\-]")
_PIN = re.compile(rf"[0-9]{{{LOOKUP_PIN_DIGITS}}}")


def lookup_pin_new() -> str:
    return "".join(secrets.choice("0123456789") for _ in range(LOOKUP_PIN_DIGITS))


def lookup_pin_clean(text: str) -> str | None:
    """The PIN as stored, from what a person typed; None when it cannot be one."""
    pin = _PIN_SEPARATORS.sub("", text or "")
    return pin if _PIN.fullmatch(pin) else None


def lookup_pin_display(pin: str) -> str:
    """Two groups of four, as printed: "4821 0937"."""
    half = LOOKUP_PIN_DIGITS // 2
    return f"{pin[:half]} {pin[half:]}" if pin else ""


def lookup_pin_matches(stored: str, given: str | None) -> bool:
    # Constant time: the comparison must not tell how many digits were right.
    return bool(stored) and given is not None and hmac.compare_digest(stored, given)


def lookup_url(code: str, pin: str = "") -> str:
    """The public page showing the dossier's state, printed as the receipt's QR code."""
    query = {"code": code, "pin": pin} if pin else {"code": code}
    return f"{settings.PORTAL_BASE_URL}{reverse('dossiers:lookup')}?{urlencode(query)}"
