"""The officer's dossier page: what it shows, what it serves, and the actions through the views."""

from datetime import date

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from citizens.constants import MembershipRole, WalletItemKind
from citizens.models import Membership, WalletAccess, WalletItem
from dossiers import services
from dossiers.constants import DossierAction, DossierState
from dossiers.models import Dossier, DossierEvent
from tests.accounts import verify_identity
from tests.dossiers.builders import cast, checked_upload, dossier_in
from tests.factories import ResultTypeFactory, UserFactory
from tests.files import pdf_bytes, png_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def c():
    c = cast()
    applicant = c.applicant
    applicant.national_id = "048190000123"
    applicant.phone = "0905123456"
    applicant.date_of_birth = date(1995, 3, 8)
    applicant.permanent_street = "12 Lê Duẩn"
    applicant.permanent_ward = "Phường Hải Châu"
    applicant.permanent_province = "Thành phố Đà Nẵng"
    applicant.save()
    # The reused identity card has a scan the officer may open.
    c.id_card.file.save("cccd.png", ContentFile(png_bytes()), save=False)
    c.id_card.file_kind = "png"
    c.id_card.save()
    return c


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def detail_url(dossier):
    return reverse("dossiers:officer_detail", args=[dossier.pk])


def act_url(dossier, action):
    return reverse("dossiers:officer_act", args=[dossier.pk, action])


def state_of(dossier):
    return Dossier.objects.get(pk=dossier.pk).state


def uploaded(dossier):
    return dossier.documents.exclude(file="").get()


def with_receipt(dossier):
    name = default_storage.save("receipts/test-receipt.pdf", ContentFile(pdf_bytes()))
    Dossier.objects.filter(pk=dossier.pk).update(receipt_pdf=name)
    return dossier


# -- What the page shows ---------------------------------------------------


def test_officer_page_shows_the_declaration_with_the_forms_labels(english, c):
    dossier = dossier_in(DossierState.SUBMITTED, c)
    english.force_login(c.officer)

    response = english.get(detail_url(dossier))

    assert response.status_code == 200
    rows = {row.label: row.value for row in response.context["declaration"]}
    assert rows == {"Họ và tên": "Nguyễn Thị Ánh Tuyết", "Mục đích sử dụng": "Kết hôn"}
    html = response.content.decode()
    # An untranslated catalog label is marked as Vietnamese on the English
    # page (WCAG 3.1.2); the applicant's own words are in no known language.
    assert '<dt lang="vi">Mục đích sử dụng</dt><dd>Kết hôn</dd>' in html


def test_officer_page_shows_the_applicants_identity_and_contact(english, c):
    dossier = dossier_in(DossierState.SUBMITTED, c)
    english.force_login(c.officer)

    html = english.get(detail_url(dossier)).content.decode()

    for text in ["048190000123", "0905123456", "08/03/1995", "12 Lê Duẩn, Phường Hải Châu"]:
        assert text in html
    assert c.applicant.email in html


def test_an_uploaded_image_is_previewed_from_the_scoped_document_url(english, c):
    dossier = dossier_in(DossierState.SUBMITTED, c)
    english.force_login(c.officer)
    url = reverse("dossiers:officer_document_file", args=[dossier.pk, uploaded(dossier).pk])

    html = english.get(detail_url(dossier)).content.decode()

    assert f'<img class="preview" src="{url}"' in html


def test_an_uploaded_pdf_is_embedded_with_a_download_link(english, c):
    dossier = dossier_in(DossierState.DRAFT, c)
    form_component = c.procedure.components.get(position=1)
    services.dossier_draft_save(
        dossier=dossier,
        actor=c.applicant,
        declaration={},
        delivery_method="counter",
        delivery_address="",
        uploads={form_component.pk: checked_upload("to-khai.pdf", pdf_bytes())},
    )
    services.dossier_submit(dossier=dossier, actor=c.applicant, declared=True)
    english.force_login(c.officer)
    url = reverse("dossiers:officer_document_file", args=[dossier.pk, uploaded(dossier).pk])

    html = english.get(detail_url(dossier)).content.decode()

    assert f'<object class="pdf-preview" data="{url}" type="application/pdf"' in html
    assert f'href="{url}" download="to-khai.pdf"' in html


def test_a_reused_wallet_document_is_marked_and_opens_through_the_logged_officer_url(english, c):
    dossier = dossier_in(DossierState.SUBMITTED, c)
    english.force_login(c.officer)
    use = c.id_card.uses.get(agency=c.agency, reference=dossier.code)
    url = reverse("citizens:officer_wallet_item_file", args=[use.pk])

    html = english.get(detail_url(dossier)).content.decode()

    assert "From the citizen's wallet" in html
    assert f'href="{url}"' in html
    # Viewing the page opens nothing: only following the link is logged.
    assert not WalletAccess.objects.exists()
    assert english.get(url).status_code == 200
    assert WalletAccess.objects.get().accessed_by == c.officer


def reuse_a_result(dossier, c):
    """Save the draft with a digital birth certificate from the wallet for the ID card."""
    result = WalletItem.objects.create(
        owner=c.applicant,
        kind=WalletItemKind.RESULT,
        result_type=ResultTypeFactory(name="Giấy khai sinh"),
        title="Giấy khai sinh",
        source_reference="result:3f2b6f4e-2d6c-4a51-9f0e-6c1d2b3a4e5f",
    )
    services.dossier_draft_save(
        dossier=dossier,
        actor=c.applicant,
        declaration={},
        delivery_method="counter",
        delivery_address="",
        reused={c.procedure.components.get(position=2).pk: result},
    )


def test_a_reused_digital_result_is_marked_verified(english, c):
    c.applicant.national_id = "048190001234"
    verify_identity(c.applicant)
    dossier = dossier_in(DossierState.DRAFT, c)
    reuse_a_result(dossier, c)
    services.dossier_submit(dossier=dossier, actor=c.applicant, declared=True)
    english.force_login(c.officer)

    html = english.get(detail_url(dossier)).content.decode()

    assert "Verified digital result" in html


def test_a_result_cannot_be_reused_by_an_unverified_applicant(c):
    dossier = dossier_in(DossierState.DRAFT, c)
    with pytest.raises(PermissionDenied):
        reuse_a_result(dossier, c)


def test_a_component_without_a_document_says_so(english, c):
    dossier = dossier_in(DossierState.SUBMITTED, c)
    dossier.documents.filter(wallet_item__isnull=False).delete()
    english.force_login(c.officer)

    response = english.get(detail_url(dossier))

    groups = {g.component.position: g.documents for g in response.context["components"]}
    assert len(groups[1]) == 1 and groups[2] == []
    assert "Not provided." in response.content.decode()


def test_the_timeline_names_officers_and_lists_requested_components(english, c):
    dossier = dossier_in(DossierState.SUPPLEMENT_REQUESTED, c)
    english.force_login(c.officer)

    html = english.get(detail_url(dossier)).content.decode()

    assert "Trần Văn Cán" in html
    assert "Thiếu tờ khai có chữ ký" in html
    assert "Documents requested:" in html and '<li lang="vi">Tờ khai</li>' in html
    assert "Nguyễn Thị Ánh Tuyết (applicant)" in html


def test_the_receipt_link_appears_once_the_receipt_exists(english, c):
    dossier = dossier_in(DossierState.RECEIVED, c)
    english.force_login(c.officer)
    url = reverse("dossiers:officer_receipt", args=[dossier.pk])

    assert url not in english.get(detail_url(dossier)).content.decode()
    with_receipt(dossier)
    assert url in english.get(detail_url(dossier)).content.decode()


def test_due_date_and_lateness_are_shown(english, c):
    dossier = dossier_in(DossierState.RECEIVED, c)
    Dossier.objects.filter(pk=dossier.pk).update(due_at=dossier.received_at.replace(year=2020))
    english.force_login(c.officer)

    response = english.get(detail_url(dossier))

    assert response.context["dossier"].deadline_status == "late"
    assert 'class="badge badge-late"' in response.content.decode()


@pytest.mark.parametrize(
    ("state", "actions"),
    [
        (DossierState.SUBMITTED, ["receive", "request_supplement", "reject"]),
        (DossierState.RECEIVED, ["request_supplement", "reject", "complete"]),
        (DossierState.SUPPLEMENT_REQUESTED, []),
        (DossierState.REJECTED, []),
        (DossierState.COMPLETED, []),
    ],
)
def test_the_page_offers_the_actions_the_state_allows(client, c, state, actions):
    dossier = dossier_in(state, c)
    client.force_login(c.officer)

    response = client.get(detail_url(dossier))

    assert [form.action for form in response.context["action_forms"]] == actions
    for action in actions:
        assert f'action="{act_url(dossier, action)}"' in response.content.decode()


# -- Files -------------------------------------------------------------------


def test_a_document_is_served_inline_privately_and_sandboxed(client, c):
    dossier = dossier_in(DossierState.SUBMITTED, c)
    client.force_login(c.officer)

    response = client.get(
        reverse("dossiers:officer_document_file", args=[dossier.pk, uploaded(dossier).pk])
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == "inline"
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == png_bytes()


def test_the_receipt_is_served_to_the_agencys_officer(client, c):
    dossier = with_receipt(dossier_in(DossierState.RECEIVED, c))
    client.force_login(c.officer)

    response = client.get(reverse("dossiers:officer_receipt", args=[dossier.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"


def test_a_missing_receipt_is_404(client, c):
    dossier = dossier_in(DossierState.SUBMITTED, c)
    client.force_login(c.officer)
    assert client.get(reverse("dossiers:officer_receipt", args=[dossier.pk])).status_code == 404


# -- Scope -------------------------------------------------------------------


def test_another_agencys_dossier_is_404_on_every_officer_url(client, c):
    dossier = with_receipt(dossier_in(DossierState.SUBMITTED, c))
    client.force_login(c.other_officer)

    urls = [
        detail_url(dossier),
        reverse("dossiers:officer_document_file", args=[dossier.pk, uploaded(dossier).pk]),
        reverse("dossiers:officer_receipt", args=[dossier.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert client.post(act_url(dossier, "receive")).status_code == 404
    assert state_of(dossier) == DossierState.SUBMITTED


def test_a_document_of_another_dossier_is_404_even_for_the_same_agency(client, c):
    dossier = dossier_in(DossierState.SUBMITTED, c)
    other = dossier_in(DossierState.SUBMITTED, c)
    client.force_login(c.officer)

    url = reverse("dossiers:officer_document_file", args=[dossier.pk, uploaded(other).pk])

    assert client.get(url).status_code == 404


def test_a_draft_is_invisible_to_officers(client, c):
    draft = dossier_in(DossierState.DRAFT, c)
    client.force_login(c.officer)
    assert client.get(detail_url(draft)).status_code == 404


def test_a_citizen_cannot_open_the_officer_page_of_their_own_dossier(client, c):
    dossier = dossier_in(DossierState.SUBMITTED, c)
    client.force_login(c.applicant)
    assert client.get(detail_url(dossier)).status_code == 404


def test_a_supervisor_sees_the_dossier_without_action_forms(english, c):
    supervisor = UserFactory()
    Membership.objects.create(user=supervisor, agency=c.agency, role=MembershipRole.SUPERVISOR)
    dossier = dossier_in(DossierState.SUBMITTED, c)
    english.force_login(supervisor)

    response = english.get(detail_url(dossier))

    assert response.status_code == 200
    assert response.context["action_forms"] == []
    assert "only officers of the receiving agency can" in response.content.decode()


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("receive", {}),
        ("reject", {"reject-reason": "Không hợp lệ"}),
        ("request_supplement", {"request_supplement-reason": "Thiếu"}),
    ],
)
def test_a_supervisor_cannot_act_and_nothing_changes(client, c, action, data):
    supervisor = UserFactory()
    Membership.objects.create(user=supervisor, agency=c.agency, role=MembershipRole.SUPERVISOR)
    dossier = dossier_in(DossierState.SUBMITTED, c)
    events = dossier.events.count()
    client.force_login(supervisor)

    response = client.post(act_url(dossier, action), data)

    assert response.status_code == 403
    assert state_of(dossier) == DossierState.SUBMITTED
    assert dossier.events.count() == events


# -- Actions through the views ---------------------------------------------


def test_receive_then_complete_through_the_views_moves_the_dossier_and_records_events(client, c):
    dossier = dossier_in(DossierState.SUBMITTED, c)
    client.force_login(c.officer)

    received = client.post(act_url(dossier, "receive"))
    completed = client.post(
        act_url(dossier, "complete"), {"complete-outcome": "Đã cấp giấy xác nhận số 12/2025"}
    )

    assert received.status_code == 302 and received.url == detail_url(dossier)
    assert completed.status_code == 302 and completed.url == detail_url(dossier)
    dossier.refresh_from_db()
    assert dossier.state == DossierState.COMPLETED
    assert dossier.outcome == "Đã cấp giấy xác nhận số 12/2025"
    officer_events = list(
        DossierEvent.objects.filter(dossier=dossier, actor=c.officer).values_list(
            "action", "from_state", "to_state"
        )
    )
    assert officer_events == [
        (DossierAction.RECEIVE, DossierState.SUBMITTED, DossierState.RECEIVED),
        (DossierAction.COMPLETE, DossierState.RECEIVED, DossierState.COMPLETED),
    ]


def test_a_successful_action_says_so_on_the_next_page(english, c):
    dossier = dossier_in(DossierState.SUBMITTED, c)
    english.force_login(c.officer)

    response = english.post(act_url(dossier, "receive"), follow=True)

    assert f"Dossier {dossier.code} was received." in response.content.decode()


def test_reject_without_a_reason_keeps_the_page_with_an_error_and_changes_nothing(english, c):
    dossier = dossier_in(DossierState.SUBMITTED, c)
    events = dossier.events.count()
    english.force_login(c.officer)

    response = english.post(act_url(dossier, "reject"), {"reject-reason": "   "})

    assert response.status_code == 400
    form = next(f for f in response.context["action_forms"] if f.action == "reject")
    assert form.errors["reason"]
    assert "Nothing was changed." in response.content.decode()
    assert state_of(dossier) == DossierState.SUBMITTED
    assert dossier.events.count() == events


def test_reject_with_a_reason_closes_the_dossier_and_records_the_reason(client, c):
    dossier = dossier_in(DossierState.SUBMITTED, c)
    client.force_login(c.officer)

    client.post(act_url(dossier, "reject"), {"reject-reason": "Không thuộc thẩm quyền"})

    assert state_of(dossier) == DossierState.REJECTED
    assert dossier.events.get(action=DossierAction.REJECT).reason == "Không thuộc thẩm quyền"


def test_request_supplement_requires_components_and_keeps_the_typed_reason(english, c):
    dossier = dossier_in(DossierState.SUBMITTED, c)
    english.force_login(c.officer)

    response = english.post(
        act_url(dossier, "request_supplement"),
        {"request_supplement-reason": "Tờ khai chưa có chữ ký"},
    )

    assert response.status_code == 400
    form = next(f for f in response.context["action_forms"] if f.action == "request_supplement")
    assert form.errors["components"]
    assert "Tờ khai chưa có chữ ký</textarea>" in response.content.decode()
    assert state_of(dossier) == DossierState.SUBMITTED


def test_request_supplement_records_the_chosen_components(client, c):
    dossier = dossier_in(DossierState.RECEIVED, c)
    form_component = c.procedure.components.get(position=1)
    client.force_login(c.officer)

    response = client.post(
        act_url(dossier, "request_supplement"),
        {"request_supplement-components": [form_component.pk], "request_supplement-reason": "Mờ"},
    )

    assert response.status_code == 302
    assert state_of(dossier) == DossierState.SUPPLEMENT_REQUESTED
    event = dossier.events.get(action=DossierAction.REQUEST_SUPPLEMENT)
    assert event.data == {"components": [form_component.pk]} and event.reason == "Mờ"


def test_a_component_of_another_procedure_cannot_be_requested(client, c):
    dossier = dossier_in(DossierState.SUBMITTED, c)
    stranger_component = dossier_in(DossierState.DRAFT, cast()).procedure.components.first()
    client.force_login(c.officer)

    response = client.post(
        act_url(dossier, "request_supplement"),
        {
            "request_supplement-components": [stranger_component.pk],
            "request_supplement-reason": "Thiếu",
        },
    )

    assert response.status_code == 400
    assert state_of(dossier) == DossierState.SUBMITTED


def test_complete_without_an_outcome_changes_nothing(client, c):
    dossier = dossier_in(DossierState.RECEIVED, c)
    client.force_login(c.officer)

    response = client.post(act_url(dossier, "complete"), {"complete-outcome": ""})

    assert response.status_code == 400
    assert state_of(dossier) == DossierState.RECEIVED


def test_an_action_the_state_no_longer_allows_explains_and_shows_the_current_state(english, c):
    dossier = dossier_in(DossierState.SUBMITTED, c)
    english.force_login(c.officer)
    english.post(act_url(dossier, "reject"), {"reject-reason": "Trùng hồ sơ"})

    # A second officer's tab still showed the receive button.
    response = english.post(act_url(dossier, "receive"))

    assert response.status_code == 409
    assert "This action is not possible while the dossier is" in response.content.decode()
    assert response.context["action_forms"] == []
    assert state_of(dossier) == DossierState.REJECTED


def test_an_unknown_action_is_404(client, c):
    dossier = dossier_in(DossierState.SUBMITTED, c)
    client.force_login(c.officer)
    assert client.post(act_url(dossier, "resubmit")).status_code == 404
    assert client.post(act_url(dossier, "delete")).status_code == 404


def test_actions_accept_only_post(client, c):
    dossier = dossier_in(DossierState.SUBMITTED, c)
    client.force_login(c.officer)
    assert client.get(act_url(dossier, "receive")).status_code == 405
    assert state_of(dossier) == DossierState.SUBMITTED
