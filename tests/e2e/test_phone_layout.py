"""On a 390 px phone the portal's pages open on their content, not on the navigation,
never scroll sideways and give every control a target a finger can hit; on a
desktop the navigation is there without a tap."""

import pytest
from playwright.sync_api import expect

from tests.e2e.journeys import assert_fits_phone, log_in, open_menu

MAIN_STARTS_WITHIN_PX = 200
# WCAG 2.2, 2.5.8 Target Size (Minimum).
MIN_TARGET_PX = 24

PUBLIC_PAGES = {
    "home": "/",
    "procedure list": "/procedures/",
    "procedure detail": "/procedures/1.001193/",
    "statistics": "/statistics/",
}

# Controls a finger taps, with their height. A link inside a paragraph is part
# of its running text, which 2.5.8 exempts; a checkbox or radio button counts
# with its label, which takes the tap too.
SMALL_TARGETS = """
(minimum) => {
  const controls = document.querySelectorAll(
    'a[href], button, input:not([type="hidden"]), select, textarea, summary'
  );
  const small = [];
  for (const control of controls) {
    if (!control.checkVisibility({ visibilityProperty: true })) continue;
    if (control.closest('p')) continue;
    let box = control.getBoundingClientRect();
    if (box.width <= 1 && box.height <= 1) continue;  // visually hidden
    const label = control.labels && control.labels[0];
    if (label && ['checkbox', 'radio'].includes(control.type)) {
      box = label.getBoundingClientRect();
    }
    if (box.height < minimum) {
      small.push(`${Math.round(box.height)} px: ${control.outerHTML.slice(0, 140)}`);
    }
  }
  return small;
}
"""

# The size, in CSS pixels, each text of the page's SVG charts is drawn at.
CHART_TEXT_SIZES = """
() => [...document.querySelectorAll('svg.chart')].flatMap((svg) => {
  const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  return [...svg.querySelectorAll('text')].map(
    (text) => parseFloat(text.getAttribute('font-size')) * scale
  );
})
"""
MIN_CHART_TEXT_PX = 12


def assert_phone_layout(page, name):
    assert_fits_phone(page)
    scroll = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll[0] <= scroll[1], f"{name}: {scroll[0]} px wide on a {scroll[1]} px screen"
    main_top = page.get_by_role("main").bounding_box()["y"]
    assert main_top <= MAIN_STARTS_WITHIN_PX, f"{name}: the content starts {main_top:.0f} px down"
    small = page.evaluate(SMALL_TARGETS, MIN_TARGET_PX)
    assert not small, f"{name}: targets under {MIN_TARGET_PX} px tall:\n" + "\n".join(small)
    chart_text = page.evaluate(CHART_TEXT_SIZES)
    assert min(chart_text, default=MIN_CHART_TEXT_PX) >= MIN_CHART_TEXT_PX, (
        f"{name}: chart text drawn at {min(chart_text):.1f} px"
    )


@pytest.fixture
def phone(browser, phone_context_args):
    context = browser.new_context(**phone_context_args)
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_public_page_on_a_phone_starts_on_its_content_fits_and_has_large_targets(
    name, live_server, demo_catalog, phone, screenshot
):
    phone.goto(f"{live_server.url}{PUBLIC_PAGES[name]}")
    if name == "statistics":
        expect(phone.locator("svg.chart").first).to_be_visible()

    expect(phone.get_by_role("navigation", name="Chính")).to_be_hidden()
    screenshot(phone, name.replace(" ", "-"))
    assert_phone_layout(phone, name)


def test_citizen_dashboard_on_a_phone_starts_on_its_content_fits_and_has_large_targets(
    live_server, demo_catalog, phone, screenshot
):
    log_in(phone, live_server.url, "citizen")
    phone.goto(f"{live_server.url}/me/")

    expect(phone.get_by_role("heading", level=1)).to_be_visible()
    expect(phone.get_by_role("button", name="Đăng xuất")).to_be_visible()
    screenshot(phone, "dashboard")
    assert_phone_layout(phone, "dashboard")


def test_tapping_menu_on_a_phone_shows_the_main_links(live_server, demo_catalog, phone, screenshot):
    log_in(phone, live_server.url, "citizen")
    phone.goto(f"{live_server.url}/me/")
    phone.get_by_role("button", name="English").tap()
    menu = phone.get_by_role("navigation", name="Main")
    expect(menu).to_be_hidden()

    phone.get_by_text("Menu", exact=True).tap()

    expect(menu.get_by_role("link", name="Procedures")).to_be_visible()
    expect(menu.get_by_role("link", name="My wallet")).to_be_visible()
    screenshot(phone, "menu-open")
    small = phone.evaluate(SMALL_TARGETS, MIN_TARGET_PX)
    assert not small, "\n".join(small)

    menu.get_by_role("link", name="My wallet").tap()
    expect(phone).to_have_url(f"{live_server.url}/me/wallet/")
    expect(menu).to_be_hidden()
    open_menu(phone)
    expect(menu.get_by_role("link", name="My wallet")).to_have_attribute("aria-current", "page")


def test_on_a_desktop_the_main_links_show_without_a_tap(
    live_server, demo_catalog, browser, browser_context_args
):
    context = browser.new_context(**browser_context_args, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    log_in(page, live_server.url, "citizen")
    page.goto(f"{live_server.url}/me/")
    page.get_by_role("button", name="English").click()

    menu = page.get_by_role("navigation", name="Main")
    expect(menu.get_by_role("link", name="Procedures")).to_be_visible()
    expect(menu.get_by_role("link", name="My wallet")).to_be_visible()
    expect(page.get_by_text("Menu", exact=True)).to_be_hidden()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    context.close()
