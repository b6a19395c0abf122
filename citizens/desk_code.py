"""The code a citizen shows a one-stop officer to have their identity verified.

Officers never search accounts: the citizen opens "My profile", reads a short
code to the officer (showing it is consent to be looked up) and hands over
their ID card. The code names the account and is good for
DESK_CODE_MINUTES to a little over twice that, so a code copied from a
screenshot later opens nothing.
"""

import time

from django.utils.crypto import constant_time_compare, salted_hmac

from core.params import whole_number

DESK_CODE_MINUTES = 30
_SALT = "citizens.desk_code"
_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L to misread


def _window(at: float | None = None) -> int:
    return int((at if at is not None else time.time()) // (DESK_CODE_MINUTES * 60))


def _check(user_pk: int, password_hash: str, window: int) -> str:
    digest = salted_hmac(_SALT, f"{user_pk}:{password_hash}:{window}").digest()
    return "".join(_ALPHABET[byte % len(_ALPHABET)] for byte in digest[:6])


def desk_code(user) -> str:
    """The account's code for now, e.g. "1234-K7Q2XM"."""
    return f"{user.pk}-{_check(user.pk, user.password, _window())}"


def user_pk_for(code: str, *, password_hash_of) -> int | None:
    """The account a code names, if it is well formed and current; else None.

    `password_hash_of(pk)` returns the account's password hash (None if no
    such account): changing the password invalidates the codes shown before.
    """
    number, _dash, check = (code or "").strip().upper().replace(" ", "").partition("-")
    pk = whole_number(number, max_digits=12)
    if pk is None or len(check) != 6:
        return None
    password_hash = password_hash_of(pk)
    if password_hash is None:
        return None
    now = _window()
    for window in (now, now - 1):
        if constant_time_compare(check, _check(pk, password_hash, window)):
            return pk
    return None
