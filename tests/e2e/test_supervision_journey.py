"""The city's supervisor sees an overdue ward dossier flagged, on a desktop and on a phone.

The browsers use the English interface (`portal_language=en`): the
dashboard's strings are not translated yet. The public statistics page is
opened too, for its screenshots.
"""

import re
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from citizens.models import User
from dossiers.constants import Channel
from dossiers.models import DossierRating
from procedures.models import Agency, Procedure
from tests.e2e.journeys import log_in, open_menu
from tests.factories import DossierFactory

WARD = "000.01.00.H15"  # Hải Châu ward
PROCEDURE = "1.004873"  # Cấp Giấy xác nhận tình trạng hôn nhân, at a ward


def english_page(browser, context_args, base_url):
    context = browser.new_context(**context_args)
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": base_url}])
    return context.new_page()


def assert_fits_phone(page):
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, "the page scrolls sideways on a 390 px phone"


def seed_ward_dossiers():
    """An overdue dossier in a ward, and some history so the figures are not empty."""
    ward = Agency.objects.get(code=WARD)
    procedure = Procedure.objects.get(code=PROCEDURE)
    citizen = User.objects.get(username="citizen")
    now = timezone.now()

    def filed(days_ago, **kwargs):
        submitted = now - timedelta(days=days_ago)
        return DossierFactory(
            agency=ward,
            procedure=procedure,
            applicant=citizen,
            submitted_at=submitted,
            **kwargs,
        )

    for days_ago, took, due in ((20, 2, 3), (15, 1, 3), (9, 4, 3), (6, 2, 3)):
        submitted = now - timedelta(days=days_ago)
        received = submitted + timedelta(hours=2)
        done = filed(
            days_ago,
            completed=True,
            received_at=received,
            due_at=received + timedelta(days=due),
            closed_at=received + timedelta(days=took),
            channel=Channel.ONLINE if days_ago % 2 else Channel.COUNTER,
        )
        DossierRating.objects.create(dossier=done, score=4 if took <= due else 2)
    filed(1, received=True, due_at=now + timedelta(minutes=45), channel=Channel.ONLINE)
    return filed(
        8,
        received=True,
        received_at=now - timedelta(days=8) + timedelta(hours=1),
        due_at=now - timedelta(days=2),
        channel=Channel.ONLINE,
    )


def test_a_supervisor_sees_an_overdue_dossier_flagged(
    live_server, browser, browser_context_args, phone_context_args, demo_catalog, screenshot
):
    overdue = seed_ward_dossiers()
    base = live_server.url

    for device, context_args in (("desktop", browser_context_args), ("phone", phone_context_args)):
        page = english_page(browser, context_args, base)
        log_in(page, base, "supervisor", language="en")
        open_menu(page)
        page.get_by_role("link", name="Supervision", exact=True).click()
        expect(page.get_by_role("heading", name="Supervision", level=1)).to_be_visible()

        overdue_list = page.get_by_role("region", name=re.compile("^Overdue dossiers"))
        row = overdue_list.get_by_role("row", name=re.compile(re.escape(overdue.code)))
        expect(row.get_by_role("link", name=overdue.code)).to_be_visible()
        expect(row.get_by_text("Overdue", exact=True)).to_be_visible()
        expect(row.get_by_text(re.compile(r"late$"))).to_be_visible()
        expect(
            page.get_by_role("img", name=re.compile("Dossiers received and completed"))
        ).to_be_visible()
        screenshot(page, f"1-supervision-{device}")
        if device == "phone":
            assert_fits_phone(page)

        # The dossier's link opens the officer's page of it.
        row.get_by_role("link", name=overdue.code).click()
        expect(page.get_by_text(overdue.code).first).to_be_visible()

        # Anyone's view: the public statistics, from the menu.
        open_menu(page)
        page.get_by_role("link", name="Statistics", exact=True).click()
        expect(
            page.get_by_role("heading", name="How agencies process dossiers", level=1)
        ).to_be_visible()
        expect(page.get_by_text(overdue.code)).to_have_count(0)
        screenshot(page, f"2-statistics-{device}")
        if device == "phone":
            assert_fits_phone(page)

        # Drill down: the ward, then one of its procedures.
        page.get_by_role("link", name="Hai Chau Ward People's Committee").click()
        expect(
            page.get_by_role("heading", name="Hai Chau Ward People's Committee", level=1)
        ).to_be_visible()
        procedures = page.get_by_role("region", name="Procedures")
        expect(procedures.get_by_role("link", name="Certificate of marital status")).to_be_visible()
        screenshot(page, f"3-statistics-ward-{device}")
        if device == "phone":
            assert_fits_phone(page)
        page.context.close()
