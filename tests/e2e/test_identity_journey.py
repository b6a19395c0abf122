"""Identity you can trust, in the browser.

A new one-stop officer signs in for the first time, sets up an authenticator
from the page, processes a dossier and digitizes a paper birth certificate of
a citizen who has no account. The citizen then signs in on a phone through the
national identity provider's own pages (a real OpenID provider process), opens
an account from what it shares, and finds the signed result in the wallet.
Signing out ends the provider's session too.
"""

import re

from playwright.sync_api import expect

from citizens.constants import MembershipRole
from citizens.models import Membership, User
from dossiers.models import Dossier
from procedures.models import Agency, Procedure, ResultType
from results_store.models import Result
from tests.e2e.journeys import (
    assert_fits_phone,
    authenticator_code,
    open_menu,
    wait_until_signed,
)
from tests.factories import DossierFactory, UserFactory
from tests.files import pdf_bytes
from tests.identity_provider import LAN

WARD = "000.01.00.H15"  # Hải Châu ward, which registers births
BIRTH_CERTIFICATE = "KQ.G15.000031"


def test_an_officer_enrols_a_second_factor_and_a_citizen_signs_in_with_the_national_provider(
    live_server,
    browser,
    browser_context_args,
    phone_context_args,
    demo_catalog,
    celery_worker,
    national_id,
    screenshot,
    settings,
    tmp_path,
):
    settings.MEDIA_ROOT = tmp_path / "media"
    base = live_server.url
    ward = Agency.objects.get(code=WARD)
    officer_account = UserFactory(username="officer.new", full_name="Hồ Thị Mới")
    Membership.objects.create(user=officer_account, agency=ward, role=MembershipRole.OFFICER)
    waiting = DossierFactory(
        submitted=True,
        agency=ward,
        procedure=Procedure.objects.filter(agencies=ward).first(),
        applicant=User.objects.get(username="citizen"),
    )

    # First sign-in of the officer: the password, then an authenticator to set up.
    officer = browser.new_context(**browser_context_args).new_page()
    officer.goto(f"{base}/accounts/login/")
    officer.get_by_label("Email, số căn cước công dân hoặc tên đăng nhập").fill("officer.new")
    officer.get_by_label("Mật khẩu", exact=True).fill("a-long-test-password")
    officer.get_by_role("button", name="Đăng nhập", exact=True).click()
    expect(officer.get_by_role("heading", level=1)).to_have_text(
        "Thiết lập yếu tố xác thực thứ hai"
    )
    expect(officer.get_by_role("img", name=re.compile("Mã QR"))).to_be_visible()
    screenshot(officer, "1-officer-setup")
    secret = officer.locator("#totp-secret").inner_text().replace(" ", "")
    officer.get_by_label("Mã 6 chữ số ứng dụng đang hiển thị").fill(authenticator_code(secret))
    officer.get_by_role("button", name="Xác nhận").click()
    expect(officer.get_by_role("list", name="Mã khôi phục").get_by_role("listitem")).to_have_count(
        10
    )
    screenshot(officer, "2-officer-recovery-codes")
    officer.get_by_role("link", name="Tôi đã lưu lại, tiếp tục").click()

    # The officer processes the dossier waiting in the queue.
    expect(officer.get_by_role("heading", name="Hàng đợi hồ sơ")).to_be_visible()
    officer.get_by_role("link", name=waiting.code).click()
    officer.get_by_role("button", name="Tiếp nhận", exact=True).click()
    expect(officer.get_by_role("status")).to_be_visible()
    officer.get_by_label("Kết quả giải quyết").fill("Đã giải quyết")
    officer.get_by_role("button", name="Hoàn thành", exact=True).click()
    expect(officer.get_by_role("status")).to_be_visible()
    assert Dossier.objects.get(pk=waiting.pk).state == "completed"
    screenshot(officer, "3-officer-completed")

    # ... and digitizes a paper birth certificate of someone with no account.
    officer.get_by_role("navigation", name="Điều hướng chính").get_by_role(
        "link", name="Kết quả", exact=True
    ).click()
    officer.get_by_role("link", name="Số hóa kết quả bản giấy").click()
    officer.get_by_label("Loại kết quả").select_option(
        str(ResultType.objects.get(code=BIRTH_CERTIFICATE).pk)
    )
    officer.get_by_label("Số hiệu trên kết quả bản giấy").fill("77/1995")
    officer.get_by_label("Ngày cấp").fill("1995-09-01")
    officer.get_by_label("Số căn cước công dân của người được cấp").fill(LAN.national_id)
    officer.get_by_label("Họ và tên người được cấp").fill(LAN.name)
    officer.get_by_label("Nội dung kết quả").fill(
        "Họ, chữ đệm, tên: Trần Thị Lan\nGiới tính: Nữ\nNơi sinh: Đà Nẵng\n"
    )
    officer.get_by_label("Bản quét kết quả bản giấy").set_input_files(
        {"name": "giay-khai-sinh.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}
    )
    officer.get_by_role("button", name="Số hóa và ký số").click()
    result = wait_until_signed("77/1995")
    assert result.holder is None  # nobody has proven to hold that citizen ID yet

    # On a phone, the citizen signs in with VNeID, on the provider's own pages.
    citizen = browser.new_context(**phone_context_args).new_page()
    citizen.goto(f"{base}/")
    citizen.get_by_role("link", name="Đăng nhập", exact=True).click()
    citizen.get_by_role("link", name="Đăng nhập bằng VNeID").click()
    expect(citizen).to_have_url(re.compile(f"^{re.escape(national_id.issuer)}/"))
    expect(citizen.get_by_role("heading", level=1)).to_contain_text("VNeID")
    screenshot(citizen, "4-provider-login")
    citizen.get_by_label("Số định danh cá nhân").fill(LAN.login)
    citizen.get_by_label("Mật khẩu").fill(LAN.password)
    citizen.get_by_role("button", name="Đăng nhập").click()
    citizen.get_by_role("button", name="Đồng ý").click()

    expect(citizen.get_by_role("heading", level=1)).to_have_text("Lần đầu đăng nhập bằng VNeID")
    screenshot(citizen, "5-first-sign-in")
    assert_fits_phone(citizen)
    citizen.get_by_role("button", name="Mở tài khoản của tôi").click()

    open_menu(citizen)
    citizen.get_by_role("navigation", name="Điều hướng chính").get_by_role(
        "link", name="Kho dữ liệu của tôi"
    ).click()
    card = citizen.get_by_role("listitem").filter(has_text="77/1995")
    expect(card.get_by_role("heading", name="Giấy khai sinh")).to_be_visible()
    screenshot(citizen, "6-result-arrived")
    assert_fits_phone(citizen)
    holder = User.objects.get(national_id=LAN.national_id)
    assert holder.identity_verified and Result.objects.get(pk=result.pk).holder == holder

    citizen.goto(f"{base}/me/profile/")
    expect(citizen.get_by_text("Đã xác thực", exact=True)).to_be_visible()
    expect(citizen.get_by_label("Họ và tên")).to_be_disabled()

    # Signing out at the portal signs out at the provider too.
    citizen.get_by_role("button", name="Đăng xuất").click()
    citizen.get_by_role("button", name="Đăng xuất").click()  # the provider's confirmation
    expect(citizen).to_have_url(re.compile(f"^{re.escape(base)}/(\\?state=\\w+)?$"))
    expect(citizen.get_by_role("link", name="Đăng nhập", exact=True)).to_be_visible()
