"""Accent-insensitive catalog search, on the real PostgreSQL."""

import pytest
from django.db import connection

from procedures.models import Procedure
from procedures.search import fold
from tests.factories import ProcedureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog():
    return {
        "birth": ProcedureFactory(code="1.001193", name="Thủ tục đăng ký khai sinh"),
        "marriage": ProcedureFactory(code="1.000894", name="Thủ tục đăng ký kết hôn"),
        "record": ProcedureFactory(
            code="3.000333", name="Cấp Phiếu Lý lịch tư pháp cho công dân Việt Nam"
        ),
        "trees": ProcedureFactory(
            code="1.002693", name="Cấp giấy phép chặt hạ, dịch chuyển cây xanh"
        ),
        "water": ProcedureFactory(code="9.000001", name="Đấu nối nước thủy cục", name_en="Water"),
    }


def codes(queryset):
    return sorted(p.code for p in queryset)


def test_fold_removes_tones_and_maps_d_stroke():
    assert fold("Thủ tục ĐĂNG KÝ khai sinh") == "thu tuc dang ki khai sinh"


def test_query_without_diacritics_finds_the_vietnamese_name(catalog):
    assert codes(Procedure.objects.search("dang ky khai sinh")) == ["1.001193"]


def test_query_with_diacritics_finds_the_same(catalog):
    assert codes(Procedure.objects.search("Đăng ký khai sinh")) == ["1.001193"]


def test_plain_d_matches_d_stroke(catalog):
    assert codes(Procedure.objects.search("dau noi")) == ["9.000001"]


def test_words_may_come_in_any_order(catalog):
    assert codes(Procedure.objects.search("khai sinh dang ky")) == ["1.001193"]


def test_every_word_must_match(catalog):
    assert codes(Procedure.objects.search("dang ky")) == ["1.000894", "1.001193"]
    assert codes(Procedure.objects.search("dang ky tu phap")) == []


def test_i_and_y_spellings_match_each_other(catalog):
    assert codes(Procedure.objects.search("dang ki ket hon")) == ["1.000894"]
    assert codes(Procedure.objects.search("li lich")) == ["3.000333"]


def test_tone_mark_placement_variants_match(catalog):
    assert codes(Procedure.objects.search("thuỷ cục")) == ["9.000001"]


def test_search_is_case_insensitive(catalog):
    assert codes(Procedure.objects.search("CHẶT HẠ CÂY XANH")) == ["1.002693"]


def test_search_by_national_code(catalog):
    assert codes(Procedure.objects.search("3.000333")) == ["3.000333"]


def test_english_name_is_searchable(catalog):
    assert codes(Procedure.objects.search("water")) == ["9.000001"]


def test_saving_a_renamed_procedure_refreshes_its_search_text(catalog):
    procedure = catalog["water"]
    procedure.name = "Lắp đặt đồng hồ nước"
    procedure.save(update_fields=["name"])
    assert codes(Procedure.objects.search("dong ho nuoc")) == ["9.000001"]


def test_postgresql_has_a_trigram_index_on_the_search_text():
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'procedures_procedure' "
            "AND indexname = 'procedure_search_trgm'"
        )
        (definition,) = cursor.fetchone()
    assert "gin" in definition and "gin_trgm_ops" in definition


def test_postgresql_plans_the_search_with_the_trigram_index(catalog):
    # Planner choice is checked without timing: with sequential scans disabled
    # the search must still be answerable, i.e. from the index.
    query = Procedure.objects.search("khai sinh").values("id").query
    sql, params = query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "procedure_search_trgm" in plan
