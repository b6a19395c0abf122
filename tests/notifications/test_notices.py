"""Which workflow action tells the applicant what, and through which outbox rows."""

import pytest
from django.urls import reverse

from dossiers import services
from dossiers.constants import DossierState
from dossiers.models import DossierEvent
from notifications.models import Notification
from tests.dossiers.builders import cast, dossier_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def c():
    return cast()


def applicant_kinds(c) -> list[str]:
    return list(
        Notification.objects.filter(user=c.applicant, channel="in_app")
        .order_by("id")
        .values_list("kind", flat=True)
    )


@pytest.mark.parametrize(
    ("state", "kinds"),
    [
        (DossierState.DRAFT, []),
        (DossierState.SUBMITTED, ["dossier_submitted"]),
        (DossierState.REJECTED, ["dossier_submitted", "dossier_rejected"]),
        (
            DossierState.SUPPLEMENT_REQUESTED,
            ["dossier_submitted", "dossier_supplement_requested"],
        ),
        (DossierState.RECEIVED, ["dossier_submitted", "dossier_received"]),
        (DossierState.COMPLETED, ["dossier_submitted", "dossier_received", "dossier_completed"]),
    ],
)
def test_each_decision_sends_the_applicant_its_message(c, state, kinds):
    dossier_in(state, c)
    assert applicant_kinds(c) == kinds
    # Officers are not told of their own actions.
    assert not Notification.objects.exclude(user=c.applicant).exists()


def test_rows_are_keyed_by_the_event_and_link_to_the_applicants_dossier_page(c):
    dossier = dossier_in(DossierState.RECEIVED, c)
    event = dossier.events.get(action="receive")
    rows = Notification.objects.filter(dedupe_key=f"dossier-event:{event.pk}")
    assert {row.channel for row in rows} == {"in_app", "email"}
    assert {row.link for row in rows} == {reverse("dossiers:detail", args=[dossier.pk])}
    assert {row.reference for row in rows} == {dossier.code}


def test_the_supplement_request_names_the_missing_documents_and_the_reason(c):
    dossier_in(DossierState.SUPPLEMENT_REQUESTED, c)
    row = Notification.objects.get(kind="dossier_supplement_requested", channel="email")
    assert "Tờ khai" in row.body_text
    assert "Thiếu tờ khai có chữ ký" in row.body_text
    assert "Giấy tờ tùy thân" not in row.body_text  # not asked for


def test_the_rejection_gives_the_reason(c):
    dossier_in(DossierState.REJECTED, c)
    row = Notification.objects.get(kind="dossier_rejected", channel="email")
    assert "Không thuộc thẩm quyền" in row.body_text


def test_the_completion_says_how_to_get_the_result(c):
    dossier = dossier_in(DossierState.COMPLETED, c)
    row = Notification.objects.get(kind="dossier_completed", channel="email")
    assert "Đã cấp giấy xác nhận" in row.body_text
    assert dossier.get_delivery_method_display() in row.body_text


def test_resubmission_sends_the_applicant_nothing_new(c):
    dossier = dossier_in(DossierState.SUPPLEMENT_REQUESTED, c)
    form_component = c.procedure.components.order_by("position").first()
    from tests.dossiers.builders import checked_upload

    before = Notification.objects.count()
    services.dossier_resubmit(
        dossier=dossier, actor=c.applicant, uploads={form_component.pk: checked_upload()}
    )
    assert DossierEvent.objects.filter(action="resubmit").exists()
    assert Notification.objects.count() == before


def test_a_refused_transition_writes_no_notification(c):
    dossier = dossier_in(DossierState.SUBMITTED, c)
    before = Notification.objects.count()
    with pytest.raises(services.WorkflowError):
        services.dossier_complete(dossier=dossier, actor=c.officer, outcome="Xong")
    assert Notification.objects.count() == before
