"""A visitor finds a procedure without typing diacritics and reads it in both languages."""

import re

import pytest
from playwright.sync_api import expect


@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_visitor_searches_without_diacritics_opens_procedure_and_switches_language(
    screen, live_server, demo_catalog, browser, browser_context_args, phone_context_args, screenshot
):
    context = browser.new_context(
        **(phone_context_args if screen == "phone" else browser_context_args)
    )
    page = context.new_page()

    page.goto(live_server.url)
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dịch vụ công trực tuyến")
    screenshot(page, f"{screen}-1-home")

    page.get_by_role("searchbox", name="Tìm thủ tục").fill("dang ky khai sinh")
    page.get_by_role("button", name="Tìm kiếm").click()
    result = page.get_by_role("link", name="Thủ tục đăng ký khai sinh", exact=True)
    expect(result).to_be_visible()
    screenshot(page, f"{screen}-2-search-results")

    result.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thủ tục đăng ký khai sinh")
    expect(page.get_by_role("heading", name="Giấy tờ cần nộp")).to_be_visible()
    expect(page.get_by_role("link", name="Nộp hồ sơ trực tuyến")).to_be_visible()
    expect(page.get_by_text("Miễn phí").first).to_be_visible()
    screenshot(page, f"{screen}-3-procedure-vi")

    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Birth registration")
    expect(page.get_by_role("heading", name="Documents to provide")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/procedures/1\.001193/$"))
    screenshot(page, f"{screen}-4-procedure-en")

    page.get_by_role("button", name="Tiếng Việt").click()
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.get_by_role("heading", level=1)).to_have_text("Thủ tục đăng ký khai sinh")
    screenshot(page, f"{screen}-5-procedure-vi-again")

    if screen == "phone":
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, "the page scrolls sideways on a 390 px phone"
    context.close()
