"""A tour of the portal's pages, in both languages and as every kind of user.

The journeys walk what people do; this tour makes sure the automatic page
checks (tests/e2e/page_checks.py: axe-core, the Nu HTML Checker, broken
aria-describedby) also see the pages no journey happens to open in one of the
languages or for one of the roles, forms showing their errors included. Each
page must answer with the status a person would expect; its checks run when
the test ends.
"""

import re
from urllib.parse import quote

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from citizens.models import User, WalletItem
from dossiers.constants import DossierState
from dossiers.models import Dossier
from procedures.models import Agency, Procedure, ResultType
from tests.e2e.journeys import log_in
from tests.e2e.test_result_journey import BIRTH_CERTIFICATE
from tests.e2e.test_supervision_journey import PROCEDURE, WARD, seed_ward_dossiers
from tests.factories import DossierFactory
from tests.files import pdf_bytes
from tests.results_store.signing import issue_result, sign_token

LANGUAGES = ["vi", "en"]


def signed_result(agency, holder):
    """A valid result of the ward for the citizen, as the signing worker leaves it."""
    officer = User.objects.get(username="officer.hai-chau")
    result = issue_result(
        result_type=ResultType.objects.get(code=BIRTH_CERTIFICATE),
        agency=agency,
        holder_national_id=holder.national_id,
        holder_name=holder.get_full_name(),
        issued_on=timezone.localdate(),
        data={"Họ, chữ đệm, tên": "Nguyễn Văn An", "Nơi sinh": "Đà Nẵng"},
        actor=officer,
        number="12/2026",
    )
    sign_token(result, pdf_bytes())
    return result


def open_as(browser, context_args, base, language, username=None):
    context = browser.new_context(**context_args)
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base}])
    page = context.new_page()
    if username:
        log_in(page, base, username, language=language)
    return page


def visit(page, base, path, status=200):
    response = page.goto(base + path)
    assert response is not None and response.status == status, (
        f"{path}: {response.status if response else 'no response'}, expected {status}"
    )


def submit_empty(page, base, path, expected_status=200):
    """Open the form at `path` and send it as it is: the page shows its errors."""
    visit(page, base, path)
    with page.expect_navigation():
        page.locator("main form[method=post] [type=submit]").first.click()
    assert page.locator(".errorlist, [role=alert]").count() > 0, f"{path}: no error shown"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_for_every_role(
    live_server, browser, browser_context_args, demo_catalog, language
):
    overdue = seed_ward_dossiers()
    base = live_server.url
    procedure = Procedure.objects.get(code=PROCEDURE)
    citizen = User.objects.get(username="citizen")
    ward = Agency.objects.get(code=WARD)
    mine = {"agency": ward, "procedure": procedure, "applicant": citizen}
    completed = Dossier.objects.filter(applicant=citizen, state=DossierState.COMPLETED).first()
    supplement = DossierFactory(supplement_requested=True, **mine)
    submitted = DossierFactory(submitted=True, **mine)
    result = signed_result(ward, citizen)

    # A visitor: the catalog, the figures, verification and the account pages.
    page = open_as(browser, browser_context_args, base, language)
    for path in (
        reverse("home"),
        reverse("procedures:list"),
        reverse("procedures:list") + "?q=khai+sinh",
        reverse("procedures:detail", args=[procedure.code]),
        reverse("dossiers:lookup"),
        reverse("dossiers:statistics"),
        reverse("dossiers:statistics_agency", args=[WARD]),
        reverse("dossiers:statistics_procedure", args=[procedure.code]),
        reverse("results_store:verify"),
        reverse("results_store:verify") + f"?t={quote(result.token, safe='')}",
        reverse("results_store:verify_result", args=[result.public_id]),
        reverse("results_store:verify_pdf"),
        reverse("citizens:login"),
        reverse("citizens:register"),
        reverse("citizens:password_reset"),
    ):
        visit(page, base, path)
    visit(page, base, reverse("dossiers:lookup") + "?code=XX&pin=1", status=400)
    visit(page, base, "/no-such-page/", status=404)
    for path in (
        reverse("citizens:login"),
        reverse("citizens:register"),
        reverse("citizens:password_reset"),
    ):
        submit_empty(page, base, path)
    page.context.close()

    # The citizen: dashboard, profile, wallet, dossiers, notifications.
    page = open_as(browser, browser_context_args, base, language, "citizen")
    paths = [
        reverse("citizens:dashboard"),
        reverse("citizens:profile"),
        reverse("citizens:wallet"),
        reverse("citizens:wallet_add"),
        reverse("citizens:wallet_access_log"),
        reverse("dossiers:mine"),
        reverse("dossiers:detail", args=[overdue.pk]),
        reverse("dossiers:detail", args=[completed.pk]),
        reverse("dossiers:detail", args=[supplement.pk]),
        reverse("notifications:centre"),
        reverse("citizens:password_change"),
    ]
    item = WalletItem.objects.filter(owner=citizen).first()
    if item is not None:
        paths.append(reverse("citizens:wallet_item", args=[item.pk]))
    for path in paths:
        visit(page, base, path)
    for path in (reverse("citizens:wallet_add"), reverse("citizens:password_change")):
        submit_empty(page, base, path)
    # A new dossier: the intake form, then sent empty.
    visit(page, base, reverse("procedures:file", args=[procedure.code]))
    with page.expect_navigation():
        page.locator(
            f"form[action='{reverse('dossiers:start', args=[procedure.code])}'] button"
        ).click()
    expect(page).to_have_url(re.compile(r"/dossiers/\d+/edit/$"))
    with page.expect_navigation():
        page.locator("main form[method=post] [type=submit]").last.click()
    page.context.close()

    # The ward's officer: the queue, a dossier, results, identity checks.
    page = open_as(browser, browser_context_args, base, language, "officer.hai-chau")
    for path in (
        reverse("dossiers:queue"),
        reverse("dossiers:queue") + "?state=received",
        reverse("dossiers:officer_detail", args=[overdue.pk]),
        reverse("dossiers:officer_detail", args=[submitted.pk]),
        reverse("dossiers:officer_detail", args=[completed.pk]),
        reverse("results_store:officer_list"),
        reverse("results_store:officer_detail", args=[result.public_id]),
        reverse("results_store:digitize"),
        reverse("citizens:desk_verification_find"),
    ):
        visit(page, base, path)
    submit_empty(page, base, reverse("citizens:desk_verification_find"))
    # Rejecting without a reason: the officer's page answers with its errors.
    visit(page, base, reverse("dossiers:officer_detail", args=[submitted.pk]))
    reject = reverse("dossiers:officer_act", args=[submitted.pk, "reject"])
    with page.expect_navigation():
        page.locator(f"form[action='{reject}'] [type=submit]").click()
    assert page.locator("[role=alert], .errorlist").count() > 0
    submit_empty(page, base, reverse("results_store:digitize"))
    page.context.close()

    # The city's supervisor: the dashboard and a supervised dossier.
    page = open_as(browser, browser_context_args, base, language, "supervisor")
    for path in (
        reverse("dossiers:supervision"),
        reverse("dossiers:officer_detail", args=[overdue.pk]),
        reverse("results_store:officer_list"),
    ):
        visit(page, base, path)
    page.context.close()

    # The administrator: the admin's index, a list and a procedure's page.
    page = open_as(browser, browser_context_args, base, language, "admin")
    for path in (
        reverse("admin:index"),
        reverse("admin:procedures_procedure_changelist"),
        reverse("admin:procedures_procedure_change", args=[procedure.pk]),
        reverse("admin:results_store_result_changelist"),
    ):
        visit(page, base, path)
    page.context.close()
