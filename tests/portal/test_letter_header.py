"""The one letter header of every PDF the portal prints: receipts, apologies and results."""

from datetime import date

import pytest

from core.pdf import letter_header, place_and_date
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("day", "line"),
    [
        (date(2026, 3, 5), "Đà Nẵng, ngày 05 tháng 3 năm 2026"),
        (date(2026, 2, 14), "Đà Nẵng, ngày 14 tháng 02 năm 2026"),
        (date(2026, 1, 1), "Đà Nẵng, ngày 01 tháng 01 năm 2026"),
        (date(2026, 12, 31), "Đà Nẵng, ngày 31 tháng 12 năm 2026"),
    ],
)
def test_place_and_date_pads_days_below_ten_and_only_january_and_february(day, line):
    assert place_and_date(day) == line


def test_header_names_the_agency_in_capitals_under_its_parent():
    city = AgencyFactory(name="Ủy ban nhân dân thành phố Đà Nẵng")
    ward = AgencyFactory(name="Ủy ban nhân dân phường Hải Châu", parent=city)

    header = letter_header(ward, date(2026, 3, 5))

    assert " ".join(header["parent_agency_lines"]) == "ỦY BAN NHÂN DÂN THÀNH PHỐ ĐÀ NẴNG"
    assert len(header["parent_agency_lines"]) == 2
    assert " ".join(header["agency_lines"]) == "ỦY BAN NHÂN DÂN PHƯỜNG HẢI CHÂU"
    assert header["place_and_date"] == "Đà Nẵng, ngày 05 tháng 3 năm 2026"


def test_an_agency_at_the_top_has_no_parent_line():
    assert (
        letter_header(AgencyFactory(name="Sở Tư pháp"), date(2026, 3, 5))["parent_agency_lines"]
        == []
    )
