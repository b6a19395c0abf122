"""A dossier from filing to completion, driven by a citizen and an officer in two browsers."""

import re

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import expect

from citizens.constants import WalletItemKind
from citizens.models import User, WalletItem
from dossiers.models import Dossier
from tests.e2e.journeys import log_in
from tests.files import pdf_bytes, png_bytes

PROCEDURE = "1.004873"  # Cấp Giấy xác nhận tình trạng hôn nhân, at a ward


@pytest.fixture
def citizen_id_card(demo_catalog, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    item = WalletItem(
        owner=User.objects.get(username="citizen"),
        kind=WalletItemKind.DOCUMENT,
        document_type="id_card",
        title="Căn cước công dân",
        number="048090012345",
        file_kind="png",
    )
    item.file.save("cccd.png", ContentFile(png_bytes()), save=False)
    item.save()
    return item


def component(page, name_start):
    return page.locator(".component", has=page.get_by_role("heading", name=re.compile(name_start)))


def test_citizen_files_reusing_the_wallet_officer_asks_a_supplement_and_completes(
    live_server, browser, browser_context_args, phone_context_args, citizen_id_card, screenshot
):
    citizen = browser.new_context(**phone_context_args).new_page()
    officer = browser.new_context(**browser_context_args).new_page()
    base = live_server.url

    # The citizen files online, reusing the ID card kept in the wallet.
    log_in(citizen, base, "citizen")
    citizen.goto(f"{base}/procedures/{PROCEDURE}/")
    citizen.get_by_role("link", name="Nộp hồ sơ trực tuyến").click()
    citizen.get_by_role("button", name="Bắt đầu khai").click()
    expect(citizen.get_by_label("Họ, chữ đệm và tên người yêu cầu")).to_have_value("Nguyễn Văn An")
    citizen.get_by_label("Tình trạng hôn nhân hiện tại").select_option("Chưa kết hôn")
    component(citizen, "^Tờ khai cấp Giấy xác nhận").get_by_label("Tải tệp lên").set_input_files(
        {"name": "to-khai.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}
    )
    component(citizen, "^Giấy tờ tùy thân").get_by_role(
        "radio", name=re.compile("Căn cước công dân")
    ).check()
    screenshot(citizen, "1-citizen-intake")
    # The purpose is forgotten: the error summary takes the focus and links to it.
    citizen.get_by_role("button", name="Tiếp tục", exact=True).click()
    summary = citizen.get_by_role("alert").filter(has_text="Đã có lỗi")
    expect(summary).to_be_focused()
    expect(citizen).to_have_title(re.compile("^Lỗi: "))
    expect(citizen.get_by_text("Đã đính kèm: to-khai.pdf.")).to_be_visible()
    summary.get_by_role("link", name="Nhập mục đích sử dụng").click()
    expect(citizen.get_by_label("Mục đích sử dụng")).to_be_focused()
    citizen.get_by_label("Mục đích sử dụng").fill("Để đăng ký kết hôn")
    citizen.get_by_role("button", name="Tiếp tục", exact=True).click()

    # Check your answers, then declare them true and submit.
    expect(
        citizen.get_by_role("heading", name="Kiểm tra thông tin trước khi nộp hồ sơ")
    ).to_be_visible()
    expect(citizen.get_by_text("Bước 2/3: Kiểm tra thông tin đã khai")).to_be_visible()
    expect(citizen.get_by_text("Để đăng ký kết hôn")).to_be_visible()
    expect(citizen.get_by_role("link", name="to-khai.pdf")).to_be_visible()
    citizen.get_by_role("button", name="Nộp hồ sơ", exact=True).click()
    expect(citizen.get_by_role("alert").filter(has_text="Đã có lỗi")).to_be_focused()
    citizen.get_by_role("checkbox", name=re.compile("^Tôi cam đoan")).check()
    screenshot(citizen, "1b-citizen-review")
    citizen.get_by_role("button", name="Nộp hồ sơ", exact=True).click()
    expect(citizen.get_by_role("heading", name="Hồ sơ của bạn đã được nộp")).to_be_visible()
    code = Dossier.objects.get(procedure__code=PROCEDURE).code
    expect(citizen.get_by_text(code, exact=True)).to_be_visible()
    screenshot(citizen, "2-citizen-submitted")

    # The ward's officer receives it, sees the reused ID card, and asks for a new form.
    log_in(officer, base, "officer.hai-chau")
    expect(officer.get_by_role("heading", name="Hàng đợi hồ sơ")).to_be_visible()
    # A ward handles many procedures: the officer types one, without diacritics.
    officer.get_by_text("Lọc theo thủ tục, kênh nộp hoặc ngày nộp").click()
    officer.get_by_label("Thủ tục", exact=True).fill("xac nhan tinh trang hon nhan")
    officer.get_by_role("button", name="Áp dụng bộ lọc").click()
    expect(officer.get_by_role("table").get_by_role("link")).to_have_count(1)
    screenshot(officer, "3-officer-queue-filtered")
    officer.get_by_role("link", name=code).click()
    expect(officer.get_by_text("Từ kho dữ liệu của công dân")).to_be_visible()
    officer.get_by_role("button", name="Tiếp nhận", exact=True).click()
    expect(officer.get_by_role("status")).to_be_visible()
    screenshot(officer, "4-officer-received")
    officer.get_by_role("checkbox", name=re.compile("Tờ khai cấp Giấy xác nhận")).check()
    officer.get_by_label("Nội dung thiếu hoặc chưa đúng").fill("Tờ khai chưa có chữ ký")
    officer.get_by_role("button", name="Yêu cầu bổ sung giấy tờ").click()
    expect(officer.get_by_role("status")).to_be_visible()

    # The citizen sees the request and sends a signed form.
    citizen.goto(f"{base}/dossiers/")
    citizen.get_by_role("link", name=re.compile("tình trạng hôn nhân")).click()
    expect(citizen.get_by_text("Tờ khai chưa có chữ ký")).to_be_visible()
    citizen.get_by_label("Tải tệp lên").set_input_files(
        {"name": "to-khai-da-ky.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}
    )
    screenshot(citizen, "5-citizen-supplement")
    citizen.get_by_role("button", name="Gửi giấy tờ bổ sung").click()
    expect(citizen.get_by_role("status")).to_be_visible()

    # The officer receives it again and completes it.
    officer.reload()
    officer.get_by_role("button", name="Tiếp nhận", exact=True).click()
    officer.get_by_label("Kết quả giải quyết").fill("Đã cấp Giấy xác nhận tình trạng hôn nhân")
    officer.get_by_role("button", name="Hoàn thành", exact=True).click()
    expect(officer.get_by_text("Đã hoàn thành").first).to_be_visible()
    screenshot(officer, "6-officer-completed")

    # The citizen's timeline shows every state.
    citizen.reload()
    timeline = citizen.locator(".timeline")
    for label in ["Đã nộp", "Đã tiếp nhận", "Yêu cầu bổ sung", "Đã nộp bổ sung", "Đã hoàn thành"]:
        expect(timeline.get_by_text(label, exact=True).first).to_be_visible()
    screenshot(citizen, "7-citizen-timeline")
    assert Dossier.objects.get(code=code).state == "completed"
