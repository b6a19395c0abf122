"""A citizen sees, in the portal and in Vietnamese, that an officer received their dossier."""

import re

import pytest
from playwright.sync_api import expect

from citizens.models import User
from dossiers import services
from dossiers.models import Dossier
from procedures.models import Agency, Procedure
from tests.dossiers.builders import checked_upload
from tests.e2e.journeys import log_in, open_menu

PROCEDURE = "1.004873"  # Cấp Giấy xác nhận tình trạng hôn nhân, at a ward
WARD = "000.01.00.H15"  # Hải Châu, where officer.hai-chau works


@pytest.fixture
def submitted_dossier(demo_catalog, settings, tmp_path) -> Dossier:
    """The demo citizen's dossier, filed through the services as the intake page would."""
    settings.MEDIA_ROOT = tmp_path / "media"
    citizen = User.objects.get(username="citizen")
    procedure = Procedure.objects.get(code=PROCEDURE)
    dossier = services.dossier_draft_create(
        applicant=citizen, procedure=procedure, agency=Agency.objects.get(code=WARD)
    )
    services.dossier_draft_save(
        dossier=dossier,
        actor=citizen,
        declaration={field.key: "Chưa kết hôn" for field in procedure.form_fields.all()},
        delivery_method="counter",
        delivery_address="",
        uploads={
            component.pk: checked_upload(f"giay-to-{component.pk}.png")
            for component in procedure.components.filter(is_required=True)
        },
    )
    return services.dossier_submit(dossier=dossier, actor=citizen, declared=True)


def notifications_link(page):
    open_menu(page)
    return page.get_by_role("navigation", name="Điều hướng chính").get_by_role(
        "link", name=re.compile(r"^Thông báo")
    )


def test_citizen_sees_the_unread_notification_of_the_reception_and_reads_it(
    live_server, browser, browser_context_args, phone_context_args, submitted_dossier, screenshot
):
    citizen = browser.new_context(**phone_context_args).new_page()
    officer = browser.new_context(**browser_context_args).new_page()
    base = live_server.url
    code = submitted_dossier.code

    # Filing already left one message: the dossier was submitted.
    log_in(citizen, base, "citizen")
    expect(notifications_link(citizen)).to_have_accessible_name("Thông báo (1 chưa đọc)")

    # The ward's officer receives the dossier.
    log_in(officer, base, "officer.hai-chau")
    officer.goto(f"{base}/officer/dossiers/{submitted_dossier.pk}/")
    officer.get_by_role("button", name="Tiếp nhận", exact=True).click()
    expect(officer.get_by_role("status")).to_be_visible()

    # The citizen's next page shows a second unread message.
    citizen.goto(f"{base}/dossiers/")
    link = notifications_link(citizen)
    expect(link).to_have_accessible_name("Thông báo (2 chưa đọc)")
    expect(link.locator(".badge")).to_have_text("2")
    screenshot(citizen, "1-citizen-unread-badge")

    # The centre shows it first, in Vietnamese, unread.
    link.click()
    expect(citizen.get_by_role("heading", name="Thông báo", level=1)).to_be_visible()
    newest = citizen.locator(".card").first
    expect(newest).to_contain_text("Chưa đọc")
    expect(newest.get_by_role("button", name=f"Đã tiếp nhận hồ sơ {code}")).to_be_visible()
    expect(newest).to_contain_text("Hẹn trả kết quả")
    expect(newest).to_contain_text("(giờ Việt Nam)")
    screenshot(citizen, "2-citizen-centre")

    # Opening it marks it read and leads to the dossier.
    newest.get_by_role("button", name=f"Đã tiếp nhận hồ sơ {code}").click()
    expect(citizen).to_have_url(f"{base}/dossiers/{submitted_dossier.pk}/")
    expect(notifications_link(citizen)).to_have_accessible_name("Thông báo (1 chưa đọc)")

    # "Mark all as read" clears the badge.
    notifications_link(citizen).click()
    citizen.get_by_role("button", name="Đánh dấu tất cả là đã đọc").click()
    expect(citizen.get_by_role("status")).to_contain_text("đã đọc")
    expect(notifications_link(citizen)).to_have_accessible_name("Thông báo")
    expect(notifications_link(citizen).locator(".badge")).to_have_count(0)
    expect(citizen.get_by_text("Chưa đọc", exact=True)).to_have_count(0)
    screenshot(citizen, "3-citizen-all-read")
