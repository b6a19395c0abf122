"""The 12-digit citizen ID number and its consistency with the profile."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from citizens.national_id import (
    parse_national_id,
    validate_national_id_format,
    validate_national_id_matches,
)


def error_codes(exc_info):
    return {e.code for e in exc_info.value.error_list}


def test_number_encodes_province_century_gender_and_year():
    facts = parse_national_id("048090000123")
    assert (facts.province_code, facts.birth_year, facts.gender) == ("048", 1990, "male")


def test_fourth_digit_three_is_a_woman_born_in_the_2000s():
    facts = parse_national_id("001305012345")
    assert (facts.birth_year, facts.gender) == (2005, "female")


@pytest.mark.parametrize("number", ["04819000012", "0480900001234", "04819000012a", ""])
def test_number_must_have_exactly_twelve_digits(number):
    with pytest.raises(ValidationError) as exc_info:
        validate_national_id_format(number)
    assert error_codes(exc_info) == {"national_id_digits"}


def test_unknown_province_code_is_refused():
    with pytest.raises(ValidationError) as exc_info:
        validate_national_id_format("003190000123")
    assert error_codes(exc_info) == {"national_id_province"}


def test_year_must_match_the_date_of_birth():
    with pytest.raises(ValidationError) as exc_info:
        validate_national_id_matches("048090000123", date_of_birth=date(1991, 5, 2), gender="male")
    assert error_codes(exc_info) == {"national_id_year"}


def test_century_digit_must_match_the_date_of_birth():
    # 2 means a man born in the 2000s; 1990 is the previous century.
    with pytest.raises(ValidationError) as exc_info:
        validate_national_id_matches("048290000123", date_of_birth=date(1990, 5, 2), gender="male")
    assert "national_id_year" in error_codes(exc_info)


def test_gender_digit_must_match_the_gender():
    with pytest.raises(ValidationError) as exc_info:
        validate_national_id_matches(
            "048090000123", date_of_birth=date(1990, 5, 2), gender="female"
        )
    assert error_codes(exc_info) == {"national_id_gender"}


def test_consistent_number_passes():
    validate_national_id_matches("048090000123", date_of_birth=date(1990, 5, 2), gender="male")
