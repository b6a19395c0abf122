"""From a search on a phone to a filed dossier in ten clicks at most, finding the procedure once.

A visitor, not signed in, types the procedure's name without diacritics on the
home page, opens it, signs in from the filing page and is brought back to it,
fills the form, checks the answers, declares them true and submits. Clicks are
counted on links, buttons and the declaration's tick box (typing, choosing an
option and attaching a file are not clicks); each step's screenshot at 390 px
is saved under test-artifacts/.
"""

import re

from playwright.sync_api import expect

from dossiers.models import Dossier
from portal.management.commands.seed_demo import DEMO_PASSWORD
from tests.e2e.journeys import assert_fits_phone
from tests.files import pdf_bytes

PROCEDURE = "1.004873"  # Cấp Giấy xác nhận tình trạng hôn nhân, at a ward
MAX_CLICKS = 10


class Clicks:
    def __init__(self):
        self.count = 0

    def __call__(self, locator):
        self.count += 1
        locator.click()


def component(page, name_start):
    return page.locator(".component", has=page.get_by_role("heading", name=re.compile(name_start)))


def test_a_visitor_goes_from_search_to_a_filed_dossier_within_ten_clicks(
    live_server, browser, phone_context_args, demo_catalog, screenshot
):
    page = browser.new_context(**phone_context_args).new_page()
    click = Clicks()
    base = live_server.url

    page.goto(f"{base}/")
    page.get_by_role("searchbox", name="Tìm thủ tục").fill("xac nhan tinh trang hon nhan")
    screenshot(page, "1-home-search")
    click(page.get_by_role("button", name="Tìm kiếm", exact=True))

    # The exact procedure is the first result.
    results = page.locator("main .card h3 a")
    expect(results.first).to_have_attribute("href", f"/procedures/{PROCEDURE}/")
    screenshot(page, "2-results")
    assert_fits_phone(page)
    click(results.first)

    click(page.get_by_role("link", name="Nộp hồ sơ trực tuyến"))
    filing_page = page.url
    screenshot(page, "3-file-online")
    click(page.get_by_role("link", name="Đăng nhập để nộp hồ sơ"))

    page.get_by_label("Email, số căn cước công dân hoặc tên đăng nhập").fill("citizen")
    page.get_by_label("Mật khẩu", exact=True).fill(DEMO_PASSWORD)
    screenshot(page, "4-log-in")
    click(page.get_by_role("button", name="Đăng nhập", exact=True))

    # Back where the visitor was, not on a profile or a dashboard.
    expect(page).to_have_url(filing_page)
    click(page.get_by_role("button", name="Bắt đầu khai"))

    expect(page.get_by_label("Họ, chữ đệm và tên người yêu cầu")).to_have_value("Nguyễn Văn An")
    page.get_by_label("Tình trạng hôn nhân hiện tại").select_option("Chưa kết hôn")
    page.get_by_label("Mục đích sử dụng").fill("Để đăng ký kết hôn")
    component(page, "^Tờ khai cấp Giấy xác nhận").get_by_label("Tải tệp lên").set_input_files(
        {"name": "to-khai.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}
    )
    component(page, "^Giấy tờ tùy thân").get_by_label("Tải tệp lên").set_input_files(
        {"name": "cccd.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}
    )
    screenshot(page, "5-form")
    assert_fits_phone(page)
    click(page.get_by_role("button", name="Tiếp tục", exact=True))

    expect(
        page.get_by_role("heading", name="Kiểm tra thông tin trước khi nộp hồ sơ")
    ).to_be_visible()
    click(page.get_by_role("checkbox", name=re.compile("^Tôi cam đoan")))
    screenshot(page, "6-review")
    assert_fits_phone(page)
    click(page.get_by_role("button", name="Nộp hồ sơ", exact=True))

    expect(page.get_by_role("heading", name="Hồ sơ của bạn đã được nộp")).to_be_visible()
    dossier = Dossier.objects.get(procedure__code=PROCEDURE)
    expect(page.get_by_text(dossier.code, exact=True)).to_be_visible()
    screenshot(page, "7-submitted")
    assert_fits_phone(page)
    assert dossier.state == "submitted" and dossier.declared_at is not None
    assert click.count <= MAX_CLICKS, f"{click.count} clicks"
