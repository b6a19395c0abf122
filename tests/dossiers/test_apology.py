"""The apology for a late result: a reason, a new appointment, an audit event, a PDF.

Dossiers are built through the services and made late by moving their due
date into the past; new appointments come from the real working calendar.
"""

import subprocess
import time
import unicodedata
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from citizens.constants import MembershipRole
from citizens.models import Membership
from dossiers import services
from dossiers.apology import apology_render_and_store
from dossiers.constants import DossierAction, DossierState
from dossiers.models import Dossier, DossierEvent
from notifications.constants import NotificationChannel
from notifications.models import Notification
from procedures import calendar
from procedures.calendar import VN_TZ
from tests.dossiers.builders import cast, dossier_in
from tests.factories import UserFactory

TITLE = "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ"
REASON = "Cần xác minh thêm thông tin với cơ quan đăng ký hộ tịch nơi cư trú trước đây"
WORKER_TIMEOUT_SECONDS = 20


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def c(db):
    return cast()


def late(dossier: Dossier) -> Dossier:
    """The dossier, its due date two hours ago."""
    Dossier.objects.filter(pk=dossier.pk).update(due_at=timezone.now() - timedelta(hours=2))
    dossier.refresh_from_db()
    return dossier


def late_dossier(c) -> Dossier:
    return late(dossier_in(DossierState.RECEIVED, c))


def new_appointment(days=3) -> datetime:
    """An office moment some working days ahead."""
    return calendar.add_working_days(timezone.now(), days)


def apologize(dossier, actor, *, reason=REASON, new_due_at=None):
    return services.dossier_apologize(
        dossier=dossier, actor=actor, reason=reason, new_due_at=new_due_at or new_appointment()
    )


def vn_text(moment) -> str:
    local = moment.astimezone(VN_TZ)
    return f"{local:%H} giờ {local:%M} phút, ngày {local:%d/%m/%Y}"


def page_date(moment) -> str:
    return timezone.localtime(moment).strftime("%d/%m/%Y %H:%M")


# --------------------------------------------------------------------------
# The service
# --------------------------------------------------------------------------


def test_apology_is_audited_with_its_reason_and_new_appointment(c):
    dossier = late_dossier(c)
    new_due_at = new_appointment()

    event = apologize(dossier, c.officer, new_due_at=new_due_at)

    event = DossierEvent.objects.get(pk=event.pk)
    assert event.action == DossierAction.APOLOGIZE
    assert event.actor == c.officer
    assert event.from_state == event.to_state == DossierState.RECEIVED
    assert event.reason == REASON
    assert event.data == {"new_due_at": new_due_at.isoformat()}


def test_apology_sets_the_new_appointment_and_the_dossier_still_counts_as_late(c):
    dossier = late_dossier(c)
    due_at = dossier.due_at
    new_due_at = new_appointment()

    apologize(dossier, c.officer, new_due_at=new_due_at)

    stored = Dossier.objects.get(pk=dossier.pk)
    assert stored.rescheduled_due_at == new_due_at
    assert stored.due_at == due_at
    assert stored.state == DossierState.RECEIVED
    assert stored.is_late


def test_apology_requires_a_reason(c):
    dossier = late_dossier(c)

    with pytest.raises(ValidationError) as error:
        apologize(dossier, c.officer, reason="   ")

    assert "reason" in error.value.message_dict
    assert not DossierEvent.objects.filter(action=DossierAction.APOLOGIZE).exists()
    assert Dossier.objects.get(pk=dossier.pk).rescheduled_due_at is None


def test_new_appointment_must_be_later_than_the_due_date(c):
    dossier = dossier_in(DossierState.RECEIVED, c)
    dossier.refresh_from_db()
    earlier = calendar.subtract_working_hours(dossier.due_at, 2)

    with pytest.raises(ValidationError) as error:
        apologize(dossier, c.officer, new_due_at=earlier)

    assert "new_due_at" in error.value.message_dict
    assert Dossier.objects.get(pk=dossier.pk).rescheduled_due_at is None


def test_new_appointment_must_be_in_the_future(c):
    dossier = late_dossier(c)

    with pytest.raises(ValidationError) as error:
        apologize(dossier, c.officer, new_due_at=timezone.now() - timedelta(minutes=30))

    assert "new_due_at" in error.value.message_dict


def test_new_appointment_must_be_in_office_hours(c):
    dossier = late_dossier(c)
    day = timezone.localdate() + timedelta(days=14)
    sunday = day + timedelta(days=(6 - day.weekday()))
    sunday_morning = datetime(sunday.year, sunday.month, sunday.day, 9, tzinfo=VN_TZ)

    with pytest.raises(ValidationError) as error:
        apologize(dossier, c.officer, new_due_at=sunday_morning)

    assert "new_due_at" in error.value.message_dict


def test_a_second_apology_must_be_later_than_the_first_new_appointment(c):
    dossier = late_dossier(c)
    first, earlier, later = new_appointment(5), new_appointment(3), new_appointment(7)
    apologize(dossier, c.officer, new_due_at=first)

    with pytest.raises(ValidationError):
        apologize(dossier, c.officer, new_due_at=earlier)
    apologize(dossier, c.officer, new_due_at=later)

    assert Dossier.objects.get(pk=dossier.pk).rescheduled_due_at == later


def test_only_an_officer_of_the_receiving_agency_can_apologize(c):
    dossier = late_dossier(c)

    for someone in (c.other_officer, c.applicant, c.stranger):
        with pytest.raises(PermissionDenied):
            apologize(dossier, someone)
    assert Dossier.objects.get(pk=dossier.pk).rescheduled_due_at is None


@pytest.mark.parametrize(
    "state",
    [DossierState.SUBMITTED, DossierState.SUPPLEMENT_REQUESTED, DossierState.COMPLETED],
)
def test_only_a_dossier_being_processed_can_get_a_new_appointment(c, state):
    dossier = dossier_in(state, c)

    with pytest.raises(services.WorkflowError):
        apologize(dossier, c.officer)
    assert not DossierEvent.objects.filter(action=DossierAction.APOLOGIZE).exists()


def test_the_applicant_is_notified_of_the_apology(c):
    dossier = late_dossier(c)

    apologize(dossier, c.officer)

    rows = Notification.objects.filter(kind="dossier_apology")
    assert set(rows.values_list("user_id", flat=True)) == {c.applicant.pk}
    assert rows.filter(channel=NotificationChannel.IN_APP).count() == 1
    assert rows.first().link == reverse("dossiers:detail", args=[dossier.pk])


# --------------------------------------------------------------------------
# The officer's page
# --------------------------------------------------------------------------


def officer_page(client, dossier):
    return client.get(reverse("dossiers:officer_detail", args=[dossier.pk]))


def apology_url(dossier):
    return reverse("dossiers:officer_apology", args=[dossier.pk])


def form_data(new_due_at, reason=REASON):
    local = timezone.localtime(new_due_at)
    return {"apologize-reason": reason, "apologize-new_due_at": f"{local:%Y-%m-%dT%H:%M}"}


def test_officer_page_offers_the_apology_for_a_late_dossier(client, c):
    dossier = late_dossier(c)
    client.force_login(c.officer)

    html = officer_page(client, dossier).content.decode()

    assert f'action="{apology_url(dossier)}"' in html
    assert 'name="apologize-new_due_at"' in html


def test_officer_page_offers_no_apology_while_the_due_date_is_far(client, c):
    dossier = dossier_in(DossierState.RECEIVED, c)
    Dossier.objects.filter(pk=dossier.pk).update(due_at=new_appointment(5))
    client.force_login(c.officer)

    html = officer_page(client, dossier).content.decode()

    assert apology_url(dossier) not in html


def test_supervisors_see_no_apology_form(client, c):
    dossier = late_dossier(c)
    supervisor = UserFactory()
    Membership.objects.create(user=supervisor, agency=c.agency, role=MembershipRole.SUPERVISOR)
    client.force_login(supervisor)

    assert apology_url(dossier) not in officer_page(client, dossier).content.decode()
    response = client.post(apology_url(dossier), form_data(new_appointment()))
    assert response.status_code == 403


def test_officer_sends_the_apology_from_the_page(client, c):
    dossier = late_dossier(c)
    new_due_at = new_appointment().replace(second=0, microsecond=0)
    client.force_login(c.officer)

    response = client.post(apology_url(dossier), form_data(new_due_at))

    assert response.status_code == 302
    assert response.url == reverse("dossiers:officer_detail", args=[dossier.pk])
    assert Dossier.objects.get(pk=dossier.pk).rescheduled_due_at == new_due_at
    html = officer_page(client, dossier).content.decode()
    assert page_date(new_due_at) in html
    assert REASON in html


def test_an_apology_without_a_reason_is_refused_on_the_page(client, c):
    dossier = late_dossier(c)
    client.force_login(c.officer)

    response = client.post(apology_url(dossier), form_data(new_appointment(), reason=""))

    assert response.status_code == 400
    assert response.context["apology_form"].errors["reason"]
    assert not DossierEvent.objects.filter(action=DossierAction.APOLOGIZE).exists()


def test_an_earlier_new_appointment_is_refused_on_the_page(client, c):
    dossier = dossier_in(DossierState.RECEIVED, c)
    dossier.refresh_from_db()
    client.force_login(c.officer)
    earlier = calendar.subtract_working_hours(dossier.due_at, 1)

    response = client.post(apology_url(dossier), form_data(earlier))

    assert response.status_code == 400
    assert response.context["apology_form"].errors["new_due_at"]
    assert Dossier.objects.get(pk=dossier.pk).rescheduled_due_at is None


def test_an_officer_of_another_agency_cannot_reach_the_apology(client, c):
    dossier = late_dossier(c)
    client.force_login(c.other_officer)

    assert client.post(apology_url(dossier), form_data(new_appointment())).status_code == 404
    assert client.get(apology_url(dossier)).status_code == 404


# --------------------------------------------------------------------------
# The applicant's page and the letter
# --------------------------------------------------------------------------


def test_applicant_sees_the_new_appointment_the_reason_and_the_letter(client, c):
    dossier = late_dossier(c)
    new_due_at = new_appointment()
    apologize(dossier, c.officer, new_due_at=new_due_at)
    apology_render_and_store(dossier.pk)
    client.force_login(c.applicant)

    html = client.get(reverse("dossiers:detail", args=[dossier.pk])).content.decode()

    assert page_date(new_due_at) in html
    assert page_date(dossier.due_at) in html
    assert REASON in html
    assert f'href="{reverse("dossiers:apology", args=[dossier.pk])}"' in html


def test_applicant_downloads_the_letter_and_nobody_else_does(client, c):
    dossier = late_dossier(c)
    apologize(dossier, c.officer)
    apology_render_and_store(dossier.pk)
    url = reverse("dossiers:apology", args=[dossier.pk])

    client.force_login(c.applicant)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")

    client.force_login(c.stranger)
    assert client.get(url).status_code == 404


def test_no_letter_before_any_apology(client, c):
    dossier = late_dossier(c)
    client.force_login(c.applicant)

    assert client.get(reverse("dossiers:apology", args=[dossier.pk])).status_code == 404


def _pdf_text(path: Path) -> str:
    """The PDF's text as pdftotext lays it out, NFC, with runs of spaces collapsed."""
    result = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    )
    return " ".join(unicodedata.normalize("NFC", result.stdout).split())


def test_rendering_the_letter_again_keeps_one_file(c, media_root):
    dossier = late_dossier(c)
    apologize(dossier, c.officer)

    apology_render_and_store(dossier.pk)
    apology_render_and_store(dossier.pk)

    files = list((media_root / "apologies").iterdir())
    assert len(files) == 1
    assert Dossier.objects.get(pk=dossier.pk).apology_pdf.name == f"apologies/{files[0].name}"


def test_worker_renders_the_apology_letter_in_vietnamese_with_the_new_date(
    media_root, celery_worker
):
    c = cast()
    dossier = late_dossier(c)
    new_due_at = new_appointment()

    apologize(dossier, c.officer, new_due_at=new_due_at)

    deadline = time.monotonic() + WORKER_TIMEOUT_SECONDS
    while not (name := Dossier.objects.get(pk=dossier.pk).apology_pdf.name):
        if time.monotonic() > deadline:
            pytest.fail(f"The worker stored no apology within {WORKER_TIMEOUT_SECONDS} s.")
        time.sleep(0.2)
    text = _pdf_text(Path(django_settings.MEDIA_ROOT) / name)

    assert TITLE in text
    assert "Kính gửi:" in text and c.applicant.get_full_name() in text
    assert dossier.code in text
    assert c.procedure.name in text
    assert f"Thời gian hẹn trả kết quả giải quyết hồ sơ: {vn_text(dossier.due_at)}" in text
    assert REASON in text
    assert vn_text(new_due_at) in text
    assert "xin lỗi" in text
    assert c.officer.get_full_name() in text
