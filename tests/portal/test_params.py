"""Numbers from URLs and forms: only ASCII digits, and not too many."""

import pytest

from core.params import whole_number


@pytest.mark.parametrize("raw", ["", "²", "٣", "1.5", "-1", " 1", "9" * 5000, None])
def test_anything_but_a_short_run_of_ascii_digits_is_not_a_number(raw):
    assert whole_number(raw) is None


def test_ascii_digits_are_a_number():
    assert whole_number("2026", max_digits=4) == 2026
