"""The public statistics and the supervisor's dashboard count ratings the same way,
say when their figures were computed, and name their overdue cards apart."""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from citizens.constants import MembershipRole
from citizens.models import Membership, User
from dossiers import statistics
from dossiers.models import Dossier, DossierRating
from procedures.constants import AdministrativeLevel, AgencyKind
from procedures.models import Agency
from tests.factories import AgencyFactory, DossierFactory, ProcedureFactory, UserFactory

pytestmark = pytest.mark.django_db
SUPERVISION = reverse("dossiers:supervision")
# "2026-12-08T06:39:51+0700": seconds, no fraction, the offset of Vietnam.
MACHINE_TIME = re.compile(r'<time datetime="(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0700)">')


@dataclass
class Place:
    city: Agency
    ward: Agency
    merged_ward: Agency
    supervisor: User


@pytest.fixture
def place() -> Place:
    city = AgencyFactory(
        name="Ủy ban nhân dân thành phố",
        level=AdministrativeLevel.PROVINCE,
        kind=AgencyKind.PEOPLES_COMMITTEE,
    )
    ward = AgencyFactory(name="Ủy ban nhân dân phường Hải Châu", parent=city)
    # A ward merged away: no longer active, its dossiers still the city's.
    merged_ward = AgencyFactory(name="Ủy ban nhân dân phường cũ", parent=city, is_active=False)
    supervisor = UserFactory()
    Membership.objects.create(user=supervisor, agency=city, role=MembershipRole.SUPERVISOR)
    return Place(city, ward, merged_ward, supervisor)


def completed(agency, *, days_ago: float) -> Dossier:
    """A dossier completed `days_ago`, two days after it was received."""
    closed = timezone.now() - timedelta(days=days_ago)
    received = closed - timedelta(days=2)
    return DossierFactory(
        completed=True,
        agency=agency,
        procedure=ProcedureFactory(agencies=[agency]),
        submitted_at=received - timedelta(hours=2),
        received_at=received,
        due_at=received + timedelta(days=5),
        closed_at=closed,
    )


def rated(dossier: Dossier, score: int = 4) -> DossierRating:
    return DossierRating.objects.create(dossier=dossier, score=score)


def public_period_params() -> dict:
    """The public pages' default period (the last 12 months), as a supervisor picks it."""
    period = statistics.period_last_12_months(statistics.local_today())
    return {
        "period": "custom",
        "start": period.first_day.isoformat(),
        "end": period.last_day.isoformat(),
    }


def supervision(client, place, **params):
    client.force_login(place.supervisor)
    response = client.get(SUPERVISION, params)
    assert response.status_code == 200
    return response


def public_city(client):
    return client.get(reverse("dossiers:statistics"))


def public_agency(client, agency):
    return client.get(reverse("dossiers:statistics_agency", args=[agency.code]))


# --------------------------------------------------------------------------
# The same ratings, counted the same way
# --------------------------------------------------------------------------


def test_a_rating_counts_the_same_on_the_public_pages_and_the_dashboard(client, place):
    rated(completed(place.ward, days_ago=3))
    on_dashboard = supervision(client, place, **public_period_params()).context["figures"]
    client.logout()
    assert public_city(client).context["figures"].ratings == on_dashboard.ratings == 1
    assert public_agency(client, place.city).context["figures"].ratings == 1


def test_the_public_agency_page_counts_the_ratings_of_wards_merged_away(client, place):
    rated(completed(place.ward, days_ago=3), score=5)
    rated(completed(place.merged_ward, days_ago=4), score=3)
    on_dashboard = supervision(client, place, **public_period_params()).context["figures"]
    client.logout()
    on_public_page = public_agency(client, place.city).context["figures"]
    assert (on_public_page.ratings, on_public_page.satisfaction) == (2, 4.0)
    assert (on_dashboard.ratings, on_dashboard.satisfaction) == (2, 4.0)
    assert public_city(client).context["figures"].ratings == 2


def test_a_ward_merged_away_is_listed_without_a_link_to_a_page_it_no_longer_has(client, place):
    rated(completed(place.merged_ward, days_ago=4))
    page = public_agency(client, place.city).text
    assert "Ủy ban nhân dân phường cũ" in page
    assert reverse("dossiers:statistics_agency", args=[place.merged_ward.code]) not in page
    assert reverse("dossiers:statistics_agency", args=[place.ward.code]) in page


def test_the_recent_ratings_are_those_the_satisfaction_figure_counts(client, place):
    # Completed before this month, rated today: last month's rating, not this month's.
    earlier = completed(place.ward, days_ago=40)
    rated(earlier)
    this_month = completed(place.ward, days_ago=0.01)
    rated(this_month, score=2)
    response = supervision(client, place, period="month")
    assert response.context["figures"].ratings == 1
    assert [r.dossier for r in response.context["dashboard"].ratings] == [this_month]


def test_a_rating_of_a_dossier_completed_after_a_past_period_is_not_listed_in_it(client, place):
    today = statistics.local_today()
    rated(completed(place.ward, days_ago=1))
    response = supervision(
        client,
        place,
        period="custom",
        start=(today - timedelta(days=60)).isoformat(),
        end=(today - timedelta(days=30)).isoformat(),
    )
    assert response.context["figures"].ratings == 0
    assert response.context["dashboard"].ratings == []


# --------------------------------------------------------------------------
# When the figures were computed
# --------------------------------------------------------------------------


def as_of(html: str) -> datetime:
    paragraph = re.search(r'<p class="stats-as-of[^"]*">(.*?)</p>', html, flags=re.S)
    assert paragraph, "no 'figures as of' line"
    match = MACHINE_TIME.search(paragraph.group(1))
    assert match, paragraph.group(1)
    shown = datetime.strptime(match.group(1), "%Y-%m-%dT%H:%M:%S%z")
    assert f">{timezone.localtime(shown):%H:%M %d/%m/%Y}</time>" in paragraph.group(1)
    return shown


@pytest.mark.parametrize("page", ["city", "agency", "procedure"])
def test_every_public_statistics_page_says_when_its_figures_were_computed(client, place, page):
    dossier = completed(place.ward, days_ago=3)
    url = {
        "city": reverse("dossiers:statistics"),
        "agency": reverse("dossiers:statistics_agency", args=[place.ward.code]),
        "procedure": reverse("dossiers:statistics_procedure", args=[dossier.procedure.code]),
    }[page]
    before = timezone.now().replace(microsecond=0)
    shown = as_of(client.get(url).text)
    assert before <= shown <= timezone.now()


def test_the_as_of_time_is_when_the_cached_figures_were_counted(client, place):
    dossier = completed(place.ward, days_ago=3)
    first = public_city(client)
    counted_at = as_of(first.text)
    assert first.context["figures"].ratings == 0

    rated(dossier)  # after the public figures were counted: they still say 0, and when
    again = public_city(client)
    assert again.context["figures"].ratings == 0
    assert as_of(again.text) == counted_at
    assert supervision(client, place, **public_period_params()).context["figures"].ratings == 1

    cache.clear()  # the figures expire
    client.logout()
    fresh = public_city(client)
    assert fresh.context["figures"].ratings == 1
    assert as_of(fresh.text) >= counted_at


def test_the_dashboard_says_its_figures_are_as_of_now(client, place):
    before = timezone.now().replace(microsecond=0)
    shown = as_of(supervision(client, place).text)
    assert before <= shown <= timezone.now()


def test_the_as_of_line_reads_in_english_too(client, place):
    client.cookies["portal_language"] = "en"
    html = public_city(client).text
    assert re.search(r"Figures as of <time datetime=", html)


# --------------------------------------------------------------------------
# Overdue now, completed late
# --------------------------------------------------------------------------


def card_labels(html: str) -> list[str]:
    return re.findall(r'<span class="figure-label">([^<]*)</span>', html)


def card(html: str, label: str) -> str:
    match = re.search(
        rf'<li[^>]*><span class="figure-label">{re.escape(label)}</span>.*?</li>', html, re.S
    )
    assert match, label
    return match.group(0)


def test_the_dashboards_cards_have_distinct_titles(client, place):
    labels = card_labels(supervision(client, place).text)
    assert len(labels) == len(set(labels)), labels
    assert "Hoàn thành quá hạn" in labels
    assert "Quá hạn" not in labels


def test_the_overdue_cards_say_which_overdue_they_count_in_english(client, place):
    client.cookies["portal_language"] = "en"
    html = supervision(client, place).text
    assert {"Overdue now", "Completed late"} <= set(card_labels(html))
    assert "received, past the due date" in card(html, "Overdue now")


def test_the_completed_late_card_does_not_count_rejected_dossiers(client, place):
    DossierFactory(rejected=True, agency=place.ward)
    late = completed(place.ward, days_ago=1)
    Dossier.objects.filter(pk=late.pk).update(due_at=late.closed_at - timedelta(days=1))
    html = supervision(client, place).text
    late_card = card(html, "Hoàn thành quá hạn")
    assert "từ chối" not in late_card
    assert "<strong>1</strong>" in late_card
    assert "<strong>1</strong>" in card(html, "Bị từ chối")
