"""In a real browser, the Content-Security-Policy breaks nothing and stops injected code."""

import pytest

from procedures.models import FormField
from tests.e2e.journeys import log_in

# The browser reports every refused script, style or frame as an event; the
# page's own code is loaded after this, so nothing escapes the count.
COLLECT_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(event.violatedDirective + " " + event.blockedURI);
});
"""
PAYLOAD = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'


def violations(page):
    return page.evaluate("window.__violations")


def visit(page, url):
    page.goto(url)
    page.wait_for_load_state("load")
    assert violations(page) == [], url


@pytest.fixture
def injected_help_text(demo_catalog):
    # What an administrator (or someone who took over an admin account) could type.
    FormField.objects.update(help_text=PAYLOAD)


def test_pages_load_without_a_refused_resource_and_injected_markup_stays_text(
    live_server, browser, browser_context_args, injected_help_text
):
    context = browser.new_context(**browser_context_args)
    context.add_init_script(COLLECT_VIOLATIONS)
    page = context.new_page()
    base = live_server.url

    for path in ["/", "/procedures/", "/statistics/", "/verify/", "/verify/pdf/"]:
        visit(page, base + path)

    # The scanner's script runs (it shows the camera button), by its nonce.
    visit(page, base + "/verify/scan/")
    assert page.get_by_role("button", name="Bật camera").is_visible()

    log_in(page, base, "citizen")
    procedure = FormField.objects.order_by("procedure__code").first().procedure
    visit(page, f"{base}/procedures/{procedure.code}/")
    page.get_by_role("link", name="Nộp hồ sơ trực tuyến").click()
    page.get_by_role("button", name="Bắt đầu khai").click()
    page.wait_for_load_state("load")
    assert page.get_by_text(PAYLOAD).first.is_visible()
    assert page.evaluate("window.__xss") is None
    assert violations(page) == []
    for path in ["/me/", "/dossiers/", "/notifications/", "/me/wallet/", "/me/wallet/access-log/"]:
        visit(page, base + path)
    context.close()


def test_staff_pages_and_the_admin_load_without_a_refused_resource(
    live_server, browser, browser_context_args, demo_catalog
):
    context = browser.new_context(**browser_context_args)
    context.add_init_script(COLLECT_VIOLATIONS)
    page = context.new_page()
    base = live_server.url
    log_in(page, base, "officer.hai-chau")
    assert violations(page) == []
    for path in ["/officer/queue/", "/officer/supervision/", "/statistics/"]:
        visit(page, base + path)
    context.close()
