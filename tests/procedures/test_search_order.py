"""The catalog search puts the procedure a person names first, then names that start so."""

import pytest

from procedures import selectors
from tests.factories import ProcedureFactory

pytestmark = pytest.mark.django_db

BIRTH = "Đăng ký khai sinh"
JOINED = (
    "Liên thông các thủ tục hành chính về đăng ký khai sinh, đăng ký thường trú, "
    "cấp thẻ bảo hiểm y tế cho trẻ em dưới 6 tuổi"
)


@pytest.fixture
def catalog():
    # Created in an order that alphabetical sorting alone would not fix.
    ProcedureFactory(code="2.000986", name=JOINED)
    ProcedureFactory(code="1.004884", name="Đăng ký khai sinh lưu động")
    ProcedureFactory(code="1.001193", name=BIRTH, name_en="Birth registration")
    ProcedureFactory(code="1.000894", name="Đăng ký kết hôn")


def names(query: str) -> list[str]:
    return [p.name for p in selectors.procedure_list(query=query)]


def test_the_exact_name_comes_before_names_that_only_mention_it(catalog):
    assert names("đăng ký khai sinh") == [BIRTH, "Đăng ký khai sinh lưu động", JOINED]


def test_the_exact_name_is_found_without_accents_or_capitals(catalog):
    assert names("DANG KY KHAI SINH")[0] == BIRTH


def test_a_query_starting_with_thu_tuc_still_ranks_the_named_procedure_first(catalog):
    assert names("Thủ tục đăng ký khai sinh") == [BIRTH, "Đăng ký khai sinh lưu động", JOINED]


def test_a_procedure_named_exactly_as_typed_with_thu_tuc_ranks_first_too(catalog):
    ProcedureFactory(code="9.000002", name="Thủ tục đăng ký khai sinh")
    assert set(names("Thủ tục đăng ký khai sinh")[:2]) == {BIRTH, "Thủ tục đăng ký khai sinh"}


def test_names_starting_with_the_query_come_before_the_other_matches(catalog):
    found = names("dang ky")
    assert set(found[:3]) == {"Đăng ký kết hôn", BIRTH, "Đăng ký khai sinh lưu động"}
    assert found[3:] == [JOINED]


def test_matches_in_the_middle_of_names_keep_the_catalog_order(catalog):
    assert names("khai sinh") == sorted(names("khai sinh"))


def test_the_exact_procedure_code_comes_first(catalog):
    ProcedureFactory(code="1.001194", name="Cấp bản sao trích lục hộ tịch, mã cũ 1.001193")
    assert selectors.procedure_list(query=" 1.001193 ").first().code == "1.001193"


def test_the_ranked_search_still_applies_the_other_filters(catalog):
    ProcedureFactory(code="1.009999", name=BIRTH + " (cấp tỉnh)", level="province")
    result = selectors.procedure_list(query="dang ky khai sinh", level="province")
    assert [p.code for p in result] == ["1.009999"]
