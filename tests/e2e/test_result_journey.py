"""A paper result digitized by an officer reaches the citizen's wallet on a phone, signed.

The officer digitizes a birth certificate of the demo citizen; the real Celery
worker signs it; the citizen downloads the PDF from the wallet and opens its
verification link, which says it is valid; a tampered QR token is refused.
Both browsers use the English interface (`portal_language=en`), as the pages'
newest strings are not translated yet.
"""

import re
from urllib.parse import quote

from django.conf import settings
from playwright.sync_api import expect

from citizens.models import User
from procedures.models import ResultType
from tests.e2e.journeys import assert_fits_phone, log_in, open_menu, wait_until_signed
from tests.files import pdf_bytes

BIRTH_CERTIFICATE = "KQ.G15.000031"
CITIZEN = "citizen"  # Nguyễn Văn An, citizen ID 048090012345
OFFICER = "officer.hai-chau"  # Hải Châu ward, which registers births


def english_page(browser, context_args, base_url):
    context = browser.new_context(**context_args)
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": base_url}])
    return context.new_page()


def tampered(token: str) -> str:
    """The token with one character of its base45 body changed."""
    position = len(token) // 2
    replacement = "A" if token[position] != "A" else "B"
    return token[:position] + replacement + token[position + 1 :]


def test_officer_digitizes_a_paper_result_and_the_citizen_downloads_and_verifies_it(
    live_server,
    browser,
    browser_context_args,
    phone_context_args,
    demo_catalog,
    celery_worker,
    screenshot,
    settings,
    tmp_path,
):
    settings.MEDIA_ROOT = tmp_path / "media"
    base = live_server.url
    citizen_account = User.objects.get(username=CITIZEN)

    # The ward's officer copies a paper birth certificate into the store.
    officer = english_page(browser, browser_context_args, base)
    log_in(officer, base, OFFICER, language="en")
    officer.get_by_role("link", name="Results", exact=True).click()
    expect(officer.get_by_role("heading", name="Results issued")).to_be_visible()
    officer.get_by_role("link", name="Digitize a paper result").click()
    birth_certificate = ResultType.objects.get(code=BIRTH_CERTIFICATE)
    officer.get_by_label("Result type").select_option(str(birth_certificate.pk))
    officer.get_by_label("Number on the paper result").fill("145/2009")
    officer.get_by_label("Date of issue").fill("2009-06-02")
    officer.get_by_label("Holder's citizen ID number").fill(citizen_account.national_id)
    officer.get_by_label("Holder's full name").fill("Nguyễn Văn An")
    officer.get_by_label("Content of the result").fill(
        "Họ, chữ đệm, tên: Nguyễn Văn An\nGiới tính: Nam\nNơi sinh: Đà Nẵng\n"
    )
    officer.get_by_label("Scan of the paper result").set_input_files(
        {"name": "giay-khai-sinh.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}
    )
    screenshot(officer, "1-officer-digitize")
    officer.get_by_role("button", name="Digitize and sign").click()
    expect(officer.get_by_role("status")).to_contain_text("145/2009 was digitized")
    expect(officer.locator("#result-status")).to_contain_text("Digitized from paper")

    result = wait_until_signed("145/2009")
    assert result.digitized and result.holder == citizen_account
    officer.reload()
    expect(officer.locator("#result-status")).to_contain_text("Valid")
    expect(officer.get_by_role("link", name="Open the signed PDF")).to_be_visible()
    screenshot(officer, "2-officer-result-signed")

    # The officer's pages work on a phone too.
    officer.set_viewport_size({"width": 390, "height": 844})
    screenshot(officer, "2a-officer-result-phone")
    assert_fits_phone(officer)
    officer.get_by_role("link", name="Results issued").click()
    expect(officer.get_by_role("link", name="145/2009")).to_be_visible()
    screenshot(officer, "2b-officer-list-phone")
    assert_fits_phone(officer)
    officer.get_by_role("link", name="145/2009").click()
    officer.set_viewport_size({"width": 1280, "height": 800})

    # On a phone, the citizen finds it in the wallet and downloads it.
    citizen = english_page(browser, phone_context_args, base)
    log_in(citizen, base, CITIZEN, language="en")
    open_menu(citizen)
    citizen.get_by_role("navigation", name="Main").get_by_role("link", name="My wallet").click()
    card = citizen.get_by_role("listitem").filter(has_text="145/2009")
    expect(card.get_by_role("heading", name="Giấy khai sinh")).to_be_visible()
    expect(card).to_contain_text("Birth certificate")
    expect(card).not_to_contain_text("Being prepared")
    screenshot(citizen, "3-citizen-wallet")
    assert_fits_phone(citizen)
    with citizen.expect_download() as download_info:
        card.get_by_role("link", name=re.compile("^Download")).click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as downloaded:
        assert downloaded.read(5) == b"%PDF-"

    # Its verification link says it is valid.
    card.get_by_role("link", name=re.compile("^Verification link")).click()
    expect(citizen.get_by_role("status", name="Valid", exact=True)).to_be_visible()
    expect(citizen.get_by_text("145/2009", exact=True)).to_be_visible()
    screenshot(citizen, "4-citizen-verified")
    assert_fits_phone(citizen)

    # A QR token with one character changed is refused.
    citizen.goto(f"{base}/verify/?t={quote(tampered(result.token), safe='')}")
    expect(citizen.get_by_role("status", name="Not valid", exact=True)).to_be_visible()
    expect(citizen.get_by_role("status", name="Valid", exact=True)).to_have_count(0)
    screenshot(citizen, "5-tampered-token-refused")

    # The officer revokes it; its verification page then says so.
    officer.get_by_label("Reason for revocation").fill("Cấp nhầm người")
    officer.get_by_role("button", name="Revoke", exact=True).click()
    expect(officer.locator("#result-status")).to_contain_text("Revoked")
    screenshot(officer, "6-officer-revoked")
    citizen.goto(f"{base}/verify/r/{result.public_id}/")
    expect(citizen.get_by_role("status", name="Valid", exact=True)).to_have_count(0)
    expect(citizen.get_by_text("Cấp nhầm người")).to_be_visible()
    screenshot(citizen, "7-citizen-sees-revoked")
