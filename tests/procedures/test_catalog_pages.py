"""The public catalog pages: list, filters, detail and the file-online entry point."""

import pytest
from django.urls import reverse

from procedures.constants import AdministrativeLevel, ServiceLevel
from tests.factories import AgencyFactory, FieldFactory, ProcedureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ward():
    return AgencyFactory(code="000.01.00.H15", name="Ủy ban nhân dân phường Hải Châu")


@pytest.fixture
def department():
    return AgencyFactory(
        code="000.00.19.H15",
        name="Sở Tư pháp",
        level=AdministrativeLevel.PROVINCE,
        kind="department",
    )


@pytest.fixture
def procedures(ward, department):
    civil = FieldFactory(code="ho-tich", name="Hộ tịch", name_en="Civil status")
    judicial = FieldFactory(code="ly-lich-tu-phap", name="Lý lịch tư pháp")
    return {
        "birth": ProcedureFactory(
            code="1.001193", name="Thủ tục đăng ký khai sinh", field=civil, agencies=[ward]
        ),
        "record": ProcedureFactory(
            code="3.000333",
            name="Cấp Phiếu Lý lịch tư pháp",
            name_en="Judicial record certificate",
            field=judicial,
            level=AdministrativeLevel.PROVINCE,
            service_level=ServiceLevel.PARTIAL_ONLINE,
            agencies=[department],
            fee_vnd=200000,
            fee_online_vnd=None,
        ),
        "signature": ProcedureFactory(
            code="2.000884", name="Chứng thực chữ ký", field=civil, in_person=True
        ),
        "retired": ProcedureFactory(code="1.000000", name="Thủ tục đã bãi bỏ", inactive=True),
    }


def listed(response):
    return sorted(p.code for p in response.context["page"].object_list)


def test_list_shows_active_procedures_only(client, procedures):
    response = client.get(reverse("procedures:list"))
    assert listed(response) == ["1.001193", "2.000884", "3.000333"]


def test_list_filters_by_level(client, procedures):
    response = client.get(reverse("procedures:list"), {"level": "province"})
    assert listed(response) == ["3.000333"]


def test_list_filters_by_agency_code(client, procedures, ward):
    response = client.get(reverse("procedures:list"), {"agency": ward.code})
    assert listed(response) == ["1.001193"]


def test_filter_offers_an_agency_as_soon_as_it_handles_a_procedure(
    client, procedures, django_capture_on_commit_callbacks
):
    assert "Phường Thanh Khê" not in client.get(reverse("procedures:list")).text
    with django_capture_on_commit_callbacks(execute=True):  # the administrator saves
        new_ward = AgencyFactory(code="000.02.00.H15", name="Phường Thanh Khê")
        ProcedureFactory(code="1.009999", agencies=[new_ward])

    response = client.get(reverse("procedures:list"), {"agency": new_ward.code})

    assert '<option value="000.02.00.H15" selected>Phường Thanh Khê</option>' in response.text
    assert listed(response) == ["1.009999"]


def test_filter_choices_follow_the_language(client, procedures):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})

    response = client.get(reverse("procedures:list"))

    assert '<option value="ho-tich">Civil status</option>' in response.text


def test_list_filters_by_field(client, procedures):
    response = client.get(reverse("procedures:list"), {"field": "ho-tich"})
    assert listed(response) == ["1.001193", "2.000884"]


def test_list_filters_by_service_level(client, procedures):
    response = client.get(reverse("procedures:list"), {"service_level": "in_person"})
    assert listed(response) == ["2.000884"]


def test_list_search_combines_with_filters(client, procedures):
    response = client.get(reverse("procedures:list"), {"q": "dang ky", "field": "ho-tich"})
    assert listed(response) == ["1.001193"]


def test_unknown_filter_value_shows_the_error_and_no_crash(client, procedures):
    response = client.get(reverse("procedures:list"), {"level": "galaxy"})
    assert response.status_code == 200
    assert response.context["form"].errors["level"]


def test_list_says_when_nothing_matches(client, procedures):
    response = client.get(reverse("procedures:list"), {"q": "khong co thu tuc nay"})
    assert "Không có thủ tục nào phù hợp" in response.text


def test_detail_shows_components_fees_time_agency_and_legal_basis(client, procedures):
    procedure = procedures["record"]
    procedure.components.create(name="Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp", position=1)
    procedure.legal_bases.create(number="Luật Lý lịch tư pháp 2009", position=1)
    response = client.get(procedure.get_absolute_url())
    body = response.text
    assert response.status_code == 200
    assert "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp" in body
    assert "200.000 đồng" in body
    assert "3 ngày làm việc" in body
    assert "Sở Tư pháp" in body
    assert "Luật Lý lịch tư pháp 2009" in body
    assert reverse("procedures:file", args=[procedure.code]) in body


def test_detail_shows_the_online_fee_reduction(client, procedures):
    body = client.get(procedures["birth"].get_absolute_url()).text
    assert "10.000 đồng" in body and "20.000 đồng" in body
    assert "tiết kiệm 10.000 đồng" in body


def test_detail_of_in_person_procedure_offers_no_online_filing(client, procedures):
    procedure = procedures["signature"]
    body = client.get(procedure.get_absolute_url()).text
    assert reverse("procedures:file", args=[procedure.code]) not in body
    assert "nộp trực tiếp" in body


def test_detail_of_inactive_procedure_is_not_found(client, procedures):
    response = client.get(procedures["retired"].get_absolute_url())
    assert response.status_code == 404


def test_detail_in_english_uses_the_english_name(client, procedures, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get(procedures["record"].get_absolute_url()).text
    assert "<h1>Judicial record certificate</h1>" in body
    assert "200,000 VND" in body


def test_file_online_entry_asks_a_visitor_to_log_in(client, procedures):
    code = procedures["birth"].code
    response = client.get(reverse("procedures:file", args=[code]))
    assert response.status_code == 200
    assert f"{reverse('citizens:login')}?next=" in response.text
