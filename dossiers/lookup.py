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

from django.urls import reverse

from core.links import public_url

LOOKUP_PIN_DIGITS = 8
# People copy a PIN from paper with the space it is printed with, or a dash.
_PIN_SEPARATORS = re.compile(r"[\s.\-]")
_PIN = re.compile(rf"[0-9]{{{LOOKUP_PIN_DIGITS}}}")


def lookup_code_forms(text: str) -> list[str]:
    """The stored spellings a typed dossier code may stand for.

    People copy a code with spaces around it, or type it in small letters
    ("000.01.00.h15-261123-0001"). National codes are upper case; the code
    as typed is tried too, for an agency code an administrator wrote
    otherwise. Each form is an exact match on the unique index, never a
    case-insensitive scan of every dossier.
    """
    code = (text or "").strip()
    return list(dict.fromkeys(form for form in (code, code.upper(), code.lower()) if form))


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
    return public_url(f"{reverse('dossiers:lookup')}?{urlencode(query)}")
