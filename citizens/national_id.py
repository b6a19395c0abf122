"""The 12-digit citizen ID number (căn cước công dân, CCCD).

Layout (Decree 137/2015/NĐ-CP, Circular 07/2016/TT-BCA):
    PPP  province code of birth registration
    G    century and gender: 0/1 = 1900s male/female, 2/3 = 2000s, 4/5 = 2100s ...
    YY   last two digits of the year of birth
    NNNNNN  a random number
"""

import re
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from citizens.constants import NATIONAL_ID_PROVINCE_CODES, Gender

_DIGITS = re.compile(r"^\d{12}$")


@dataclass(frozen=True)
class NationalIdFacts:
    province_code: str
    birth_year: int
    gender: str


def parse_national_id(number: str) -> NationalIdFacts:
    """Read the facts a CCCD number encodes; raises ValidationError if malformed."""
    validate_national_id_format(number)
    century_digit = int(number[3])
    century = 1900 + 100 * (century_digit // 2)
    gender = Gender.MALE if century_digit % 2 == 0 else Gender.FEMALE
    return NationalIdFacts(
        province_code=number[:3], birth_year=century + int(number[4:6]), gender=gender
    )


def validate_national_id_format(number: str) -> None:
    if not _DIGITS.match(number or ""):
        raise ValidationError(
            _("A citizen ID number has exactly 12 digits."), code="national_id_digits"
        )
    if number[:3] not in NATIONAL_ID_PROVINCE_CODES:
        raise ValidationError(
            _("%(code)s is not a province code; check the first three digits."),
            code="national_id_province",
            params={"code": number[:3]},
        )


def validate_national_id_matches(
    number: str, *, date_of_birth: date | None, gender: str | None
) -> None:
    """The number's century/gender digit and year must agree with the profile."""
    facts = parse_national_id(number)
    errors = []
    if date_of_birth and facts.birth_year != date_of_birth.year:
        errors.append(
            ValidationError(
                _(
                    "This number belongs to someone born in %(year)s, "
                    "but the date of birth is in %(actual)s."
                ),
                code="national_id_year",
                params={"year": facts.birth_year, "actual": date_of_birth.year},
            )
        )
    if gender and facts.gender != gender:
        errors.append(
            ValidationError(
                _("The fourth digit of this number does not match the gender given."),
                code="national_id_gender",
            )
        )
    if errors:
        raise ValidationError(errors)
