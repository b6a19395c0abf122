"""An administrator builds a whole procedure on one admin page."""

import pytest
from django.urls import reverse

from procedures.models import Procedure
from tests.factories import AgencyFactory, FieldFactory, ResultTypeFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="admin", administrator=True))
    return client


def inline_management(prefix, total):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def test_admin_creates_a_procedure_with_components_fields_and_legal_basis(admin_client):
    field = FieldFactory(code="ho-tich")
    ward = AgencyFactory(code="000.01.00.H15")
    certificate = ResultTypeFactory(code="KQ.G15.000031")
    data = {
        "code": "1.001193",
        "name": "Thủ tục đăng ký khai sinh",
        "name_en": "Birth registration",
        "field": field.pk,
        "is_active": "on",
        "level": "commune",
        "agencies": [ward.pk],
        "kind": "administrative",
        "service_level": "full_online",
        "processing_time": "1",
        "time_unit": "working_days",
        "same_day": "on",
        "online_reduction_percent": "50",
        "fee_vnd": "0",
        "fee_online_vnd": "0",
        "result_types": [certificate.pk],
        **inline_management("components", 2),
        "components-0-name": "Tờ khai đăng ký khai sinh",
        "components-0-is_required": "on",
        "components-0-copies": "1 bản chính",
        "components-0-accepted_formats": "pdf,jpg,png",
        "components-0-max_size_mb": "10",
        "components-0-position": "1",
        "components-1-name": "Giấy chứng sinh",
        "components-1-is_required": "on",
        "components-1-accepted_formats": "pdf",
        "components-1-max_size_mb": "5",
        "components-1-position": "2",
        **inline_management("form_fields", 1),
        "form_fields-0-position": "1",
        "form_fields-0-key": "child_name",
        "form_fields-0-label": "Họ, chữ đệm, tên của trẻ",
        "form_fields-0-field_type": "text",
        "form_fields-0-is_required": "on",
        **inline_management("legal_bases", 1),
        "legal_bases-0-position": "1",
        "legal_bases-0-number": "Luật Hộ tịch số 60/2014/QH13",
    }
    response = admin_client.post(reverse("admin:procedures_procedure_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    procedure = Procedure.objects.get(code="1.001193")
    assert [c.name for c in procedure.components.all()] == [
        "Tờ khai đăng ký khai sinh",
        "Giấy chứng sinh",
    ]
    assert procedure.components.get(position=2).max_size_mb == 5
    assert procedure.form_fields.get().key == "child_name"
    assert procedure.legal_bases.get().number == "Luật Hộ tịch số 60/2014/QH13"
    assert list(procedure.agencies.all()) == [ward]
    assert "dang ki khai sinh" in procedure.search_text


def test_admin_rejects_an_unknown_component_format(admin_client):
    field = FieldFactory(code="ho-tich")
    data = {
        "code": "1.000001",
        "name": "Thủ tục thử",
        "field": field.pk,
        "level": "commune",
        "kind": "administrative",
        "service_level": "full_online",
        "processing_time": "3",
        "time_unit": "working_days",
        "online_reduction_percent": "50",
        **inline_management("components", 1),
        "components-0-name": "Bản vẽ",
        "components-0-accepted_formats": "exe",
        "components-0-max_size_mb": "10",
        "components-0-position": "1",
        **inline_management("form_fields", 0),
        **inline_management("legal_bases", 0),
    }
    response = admin_client.post(reverse("admin:procedures_procedure_add"), data)
    assert response.status_code == 200
    assert not Procedure.objects.filter(code="1.000001").exists()


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:procedures_procedure_changelist",
        "admin:procedures_agency_changelist",
        "admin:procedures_field_changelist",
        "admin:procedures_calendarexception_changelist",
        "admin:procedures_officehours_changelist",
        "admin:citizens_user_changelist",
        "admin:citizens_membership_changelist",
    ],
)
def test_admin_lists_open_with_search_and_filters(admin_client, url_name):
    response = admin_client.get(reverse(url_name), {"q": "khai sinh"})
    assert response.status_code == 200
