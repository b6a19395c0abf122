"""On a phone: a citizen registers, confirms the email, completes the profile and
fills the wallet; an officer signs in for the first time, sets up the second
factor and lands on the queue."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from citizens.constants import MembershipRole
from citizens.models import Membership
from tests.e2e.journeys import assert_fits_phone, authenticator_code, open_menu
from tests.factories import AgencyFactory, UserFactory
from tests.files import png_bytes

PASSWORD = "Hoa-sen-Đà-Nẵng-2026"


@pytest.fixture
def officer(transactional_db):
    ward = AgencyFactory(code="000.01.00.H15", name="Ủy ban nhân dân phường Hải Châu")
    user = UserFactory(username="officer.hai-chau", full_name="Trần Thị Mai")
    Membership.objects.create(user=user, agency=ward, role=MembershipRole.OFFICER)
    return user


def test_citizen_registers_completes_profile_uploads_document_and_officer_enrols_a_second_factor(
    live_server, browser, phone_context_args, officer, screenshot, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    context = browser.new_context(**phone_context_args)
    page = context.new_page()

    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Đăng ký", exact=True).click()
    page.get_by_label("Họ và tên").fill("Lê Thị Hoa")
    page.get_by_label("Email").fill("hoa.le@example.vn")
    page.get_by_label("Số điện thoại").fill("0905123456")
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    page.get_by_label("Nhập lại mật khẩu").fill(PASSWORD)
    screenshot(page, "1-register")
    assert_fits_phone(page)
    page.get_by_role("button", name="Đăng ký", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Kiểm tra email của bạn")
    [message] = mail.outbox
    link = re.search(r"https?://\S+/accounts/register/confirm/\S+/", message.body).group(0)
    page.goto(link)
    page.get_by_role("button", name="Xác nhận và mở tài khoản").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Thông tin cá nhân")
    expect(page.get_by_text("Chưa xác thực", exact=True)).to_be_visible()
    page.get_by_label("Số căn cước công dân").fill("048305001234")
    page.get_by_label("Ngày sinh").fill("2005-03-08")
    page.get_by_label("Giới tính").select_option("female")
    page.get_by_label("Tỉnh / thành phố").first.select_option("Thành phố Đà Nẵng")
    page.get_by_label("Phường / xã").first.fill("Phường Hải Châu")
    page.get_by_label("Số nhà, đường").first.fill("12 Lê Duẩn")
    page.get_by_role("button", name="Lưu thông tin").click()
    expect(page.get_by_role("status")).to_contain_text("Đã lưu thông tin cá nhân")
    screenshot(page, "2-profile-saved")
    assert_fits_phone(page)

    open_menu(page)
    page.get_by_role("navigation", name="Điều hướng chính").get_by_role(
        "link", name="Kho dữ liệu của tôi"
    ).click()
    page.get_by_role("link", name="Thêm giấy tờ").click()
    page.get_by_label("Loại giấy tờ").select_option("id_card")
    page.get_by_label("Tên giấy tờ").fill("Căn cước công dân")
    page.get_by_label("Số giấy tờ").fill("048305001234")
    page.get_by_label("Tệp (PDF, JPG hoặc PNG)").set_input_files(
        {"name": "cccd-mat-truoc.png", "mimeType": "image/png", "buffer": png_bytes()}
    )
    screenshot(page, "3-upload")
    page.get_by_role("button", name="Tải lên").click()
    expect(page.get_by_role("link", name="Căn cước công dân")).to_be_visible()
    screenshot(page, "4-wallet")
    assert_fits_phone(page)

    page.get_by_role("button", name="Đăng xuất").click()
    expect(page.get_by_role("link", name="Đăng nhập", exact=True)).to_be_visible()

    page.get_by_role("link", name="Đăng nhập", exact=True).click()
    page.get_by_label("Email, số căn cước công dân hoặc tên đăng nhập").fill("officer.hai-chau")
    page.get_by_label("Mật khẩu", exact=True).fill("a-long-test-password")
    page.get_by_role("button", name="Đăng nhập", exact=True).click()

    # First sign-in of a staff member: a password alone opens nothing.
    expect(page.get_by_role("heading", level=1)).to_have_text("Thiết lập yếu tố xác thực thứ hai")
    screenshot(page, "5-officer-second-factor-setup")
    assert_fits_phone(page)
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    page.get_by_label("Mã 6 chữ số ứng dụng đang hiển thị").fill(authenticator_code(secret))
    page.get_by_role("button", name="Xác nhận").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mã khôi phục")
    expect(page.get_by_role("list", name="Mã khôi phục").get_by_role("listitem")).to_have_count(10)
    page.get_by_role("link", name="Tôi đã lưu lại, tiếp tục").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Hàng đợi hồ sơ")
    expect(page.get_by_text("Ủy ban nhân dân phường Hải Châu")).to_be_visible()
    screenshot(page, "6-officer-queue")
    assert_fits_phone(page)
    context.close()
