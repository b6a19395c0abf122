"""Reading numbers from what a visitor typed or put in a URL.

`str.isdigit()` accepts "²" and "٣", which `int()` then refuses or reads as
another number, and `int()` of 5,000 digits is refused past Python's limit:
both were server errors. Only ASCII digits, and not too many, are numbers here.
"""

MAX_DIGITS = 9


def whole_number(raw, *, max_digits: int = MAX_DIGITS) -> int | None:
    """The non-negative integer `raw` spells in ASCII digits, or None."""
    if not isinstance(raw, str) or not raw or len(raw) > max_digits:
        return None
    if not (raw.isascii() and raw.isdigit()):
        return None
    return int(raw)
