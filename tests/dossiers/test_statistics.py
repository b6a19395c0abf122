"""The supervisor's dashboard, the public statistics pages and the SVG charts.

The figures are checked against a small, hand-built set of dossiers whose
expected numbers are worked out by hand in the comments, not by the code under
test.
"""

import itertools
import re
from dataclasses import dataclass
from datetime import timedelta
from xml.etree import ElementTree

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from citizens.constants import MembershipRole, WalletItemKind
from citizens.models import Membership, User, WalletItem
from dossiers import charts, statistics
from dossiers.constants import Channel
from dossiers.models import Dossier, DossierDocument, DossierRating
from procedures.constants import AdministrativeLevel, AgencyKind, ServiceLevel
from procedures.models import Agency, Procedure
from results_store.models import Result
from tests.factories import (
    AgencyFactory,
    DossierFactory,
    ProcedureFactory,
    ResultTypeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

SUPERVISION = reverse("dossiers:supervision")
APPLICANT_NAME = "Nguyễn Thị Ánh Tuyết"
APPLICANT_ID = "048190000123"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@dataclass
class World:
    city: Agency
    ward_a: Agency
    ward_b: Agency
    procedure: Procedure
    d: dict[str, Dossier]
    e: dict[str, Dossier]
    applicant: User


@pytest.fixture
def world() -> World:
    """Two wards under the city; dossiers in known states, times and channels.

    Ward A, all filed about ten days ago (t0) unless said otherwise:
      D1 completed on time: received t0+2h, closed 2 days later, online, rated 5, signed result,
         two documents (one from the wallet)
      D2 completed on time: 4 days of processing, at the counter, rated 3, one uploaded document
      D3 completed late (due after 1 day, closed after 3), online, not rated
      D4 received, overdue by a day, online
      D5 received yesterday, due in 30 days, by post (filed two days ago)
      D6 submitted two days ago, online, waiting for reception
      D7 supplement requested, online
      D8 rejected, at the counter
      D9 completed two months ago, online (outside the period)
      D10 a draft (never counted)
      D11 received yesterday, due in 30 minutes, at the counter (filed two days ago)
    Ward B:
      E1 received, overdue by two days, online
      E2 completed on time after 1 day, online, rated 4
    """
    now = timezone.now()
    t0 = now - timedelta(days=10)
    city = AgencyFactory(
        name="Ủy ban nhân dân thành phố",
        level=AdministrativeLevel.PROVINCE,
        kind=AgencyKind.PEOPLES_COMMITTEE,
    )
    ward_a = AgencyFactory(name="Ủy ban nhân dân phường Hải Châu", parent=city)
    ward_b = AgencyFactory(name="Ủy ban nhân dân phường Thanh Khê", parent=city)
    procedure = ProcedureFactory(
        name="Đăng ký khai sinh", agencies=[ward_a, ward_b], service_level=ServiceLevel.FULL_ONLINE
    )
    result_type = ResultTypeFactory()
    procedure.result_types.add(result_type)
    component = procedure.components.create(name="Tờ khai", position=1)
    applicant = UserFactory(full_name=APPLICANT_NAME, national_id=APPLICANT_ID)

    def dossier(agency=ward_a, **kwargs):
        kwargs.setdefault("submitted_at", t0)
        return DossierFactory(
            agency=agency,
            procedure=procedure,
            applicant=applicant,
            applicant_name=APPLICANT_NAME,
            **kwargs,
        )

    def completed(days, *, due_days=5, agency=ward_a, **kwargs):
        received_at = kwargs.pop("received_at", t0 + timedelta(hours=2))
        return dossier(
            agency,
            completed=True,
            received_at=received_at,
            due_at=received_at + timedelta(days=due_days),
            closed_at=received_at + timedelta(days=days),
            **kwargs,
        )

    d = {
        "D1": completed(2, channel=Channel.ONLINE),
        "D2": completed(4, channel=Channel.COUNTER),
        "D3": completed(3, due_days=1, channel=Channel.ONLINE),
        "D4": dossier(
            received=True,
            received_at=t0 + timedelta(hours=2),
            due_at=now - timedelta(days=1),
            channel=Channel.ONLINE,
        ),
        "D5": dossier(
            received=True,
            submitted_at=now - timedelta(days=2),
            received_at=now - timedelta(days=1),
            due_at=now + timedelta(days=30),
            channel=Channel.POST,
        ),
        "D6": dossier(submitted=True, submitted_at=now - timedelta(days=2), channel=Channel.ONLINE),
        "D7": dossier(supplement_requested=True, channel=Channel.ONLINE),
        "D8": dossier(rejected=True, channel=Channel.COUNTER),
        "D9": completed(
            2,
            submitted_at=now - timedelta(days=60),
            received_at=now - timedelta(days=60),
            channel=Channel.ONLINE,
        ),
        "D10": DossierFactory(agency=ward_a, procedure=procedure, applicant=applicant),
        "D11": dossier(
            received=True,
            submitted_at=now - timedelta(days=2),
            received_at=now - timedelta(days=1),
            due_at=now + timedelta(minutes=30),
            channel=Channel.COUNTER,
        ),
    }
    e = {
        "E1": dossier(
            ward_b,
            received=True,
            received_at=t0 + timedelta(hours=2),
            due_at=now - timedelta(days=2),
            channel=Channel.ONLINE,
        ),
        "E2": completed(1, agency=ward_b, channel=Channel.ONLINE),
    }
    DossierRating.objects.create(dossier=d["D1"], score=5, comment="Nhanh chóng")
    DossierRating.objects.create(dossier=d["D2"], score=3)
    DossierRating.objects.create(dossier=e["E2"], score=4)
    Result.objects.create(
        number="1/2026",
        result_type=result_type,
        agency=ward_a,
        holder_national_id=APPLICANT_ID,
        holder_name=APPLICANT_NAME,
        issued_on=timezone.localdate(),
        source_reference=f"dossier:{d['D1'].code}",
        issued_by=UserFactory(),
    )
    card = WalletItem.objects.create(
        owner=applicant, kind=WalletItemKind.DOCUMENT, document_type="id_card", title="CCCD"
    )
    DossierDocument.objects.create(dossier=d["D1"], component=component, wallet_item=card)
    DossierDocument.objects.create(dossier=d["D1"], component=component, file="dossiers/a.pdf")
    DossierDocument.objects.create(dossier=d["D2"], component=component, file="dossiers/b.pdf")
    return World(city, ward_a, ward_b, procedure, d, e, applicant)


def supervisor_of(agency) -> User:
    user = UserFactory()
    Membership.objects.create(user=user, agency=agency, role=MembershipRole.SUPERVISOR)
    return user


def custom_period(**extra) -> dict:
    """The last 21 days, today included (Vietnamese dates)."""
    today = statistics.local_today()
    return {
        "period": "custom",
        "start": (today - timedelta(days=20)).isoformat(),
        "end": today.isoformat(),
        **extra,
    }


def dashboard(client, user, **params):
    client.force_login(user)
    response = client.get(SUPERVISION, custom_period(**params))
    assert response.status_code == 200
    return response


def section(html: str, heading_id: str) -> str:
    """The HTML of the <section> labelled by the heading with this id."""
    match = re.search(
        rf'<section[^>]*aria-labelledby="{heading_id}".*?</section>', html, flags=re.S
    )
    assert match, heading_id
    return match.group(0)


# --------------------------------------------------------------------------
# The dashboard's figures
# --------------------------------------------------------------------------


def test_the_ward_dashboard_counts_open_dossiers_by_state(client, world):
    figures = dashboard(client, supervisor_of(world.ward_a)).context["figures"]
    # Submitted: D6. Received: D4, D5, D11. Supplement: D7. Overdue: D4.
    assert (figures.waiting, figures.processing, figures.supplement) == (1, 3, 1)
    assert figures.overdue == 1


def test_the_ward_dashboard_counts_the_period_on_time_and_late(client, world):
    figures = dashboard(client, supervisor_of(world.ward_a)).context["figures"]
    # Submitted in the period: D1-D8 and D11 (not D9, long ago, nor the draft D10).
    assert figures.submitted == 9
    # Received in the period: D1, D2, D3, D4, D5, D11.
    assert figures.received == 6
    # Completed: D1, D2 on time; D3 late. D9 was completed before the period.
    assert (figures.completed, figures.on_time, figures.late) == (3, 2, 1)
    assert figures.rejected == 1
    assert figures.on_time_rate == 66.7  # 2 / 3


def test_the_ward_dashboard_averages_processing_time_in_calendar_days(client, world):
    figures = dashboard(client, supervisor_of(world.ward_a)).context["figures"]
    assert figures.average_processing_days == 3.0  # (2 + 4 + 3) / 3


def test_the_ward_dashboard_gives_the_online_share_of_submitted_dossiers(client, world):
    figures = dashboard(client, supervisor_of(world.ward_a)).context["figures"]
    # Online: D1, D3, D4, D6, D7 of the nine submitted.
    assert (figures.online, figures.submitted) == (5, 9)
    assert figures.online_share == 55.6


def test_the_ward_dashboard_shows_satisfaction_from_ratings(client, world):
    response = dashboard(client, supervisor_of(world.ward_a))
    figures = response.context["figures"]
    assert (figures.ratings, figures.satisfaction) == (2, 4.0)  # (5 + 3) / 2
    ratings = section(response.content.decode(), "ratings-title")
    assert "Nhanh chóng" in ratings
    assert world.d["D1"].code in ratings


def test_the_ward_dashboard_counts_digital_results_and_reused_documents(client, world):
    figures = dashboard(client, supervisor_of(world.ward_a)).context["figures"]
    # D1, D2, D3 are completed and their procedure issues a result; only D1 got one.
    assert (figures.results_digital, figures.results_expected) == (1, 3)
    # D1 has two documents, one from the wallet; D2 one upload.
    assert (figures.documents_reused, figures.documents) == (1, 3)


def test_the_dashboard_prints_the_figures_in_the_page(client, world):
    client.cookies["portal_language"] = "en"
    html = dashboard(client, supervisor_of(world.ward_a)).content.decode()
    period = section(html, "period-title")
    assert "66.7 %" in period
    assert "3.0 days" in period
    assert "55.6 %" in period
    assert "4.0" in period


def test_the_city_supervisor_sees_the_wards_below_with_a_breakdown(client, world):
    response = dashboard(client, supervisor_of(world.city))
    figures = response.context["figures"]
    # Ward B adds E1 (overdue) and E2 (completed on time in 1 day, rated 4).
    assert figures.overdue == 2
    assert (figures.completed, figures.late) == (4, 1)
    assert figures.on_time_rate == 75.0
    assert figures.average_processing_days == 2.5  # (2 + 4 + 3 + 1) / 4
    assert (figures.online, figures.submitted) == (7, 11)
    assert figures.satisfaction == 4.0  # (5 + 3 + 4) / 3
    rows = {row.agency.pk: row.tally for row in response.context["dashboard"].breakdown}
    assert set(rows) == {world.ward_a.pk, world.ward_b.pk}
    assert rows[world.ward_b.pk].overdue == 1
    assert rows[world.ward_b.pk].completed == 1


def test_the_city_supervisor_can_narrow_the_dashboard_to_a_ward(client, world):
    response = dashboard(client, supervisor_of(world.city), agency=world.ward_b.pk)
    figures = response.context["figures"]
    assert (figures.overdue, figures.completed, figures.submitted) == (1, 1, 2)


# --------------------------------------------------------------------------
# Deadlines
# --------------------------------------------------------------------------


def test_the_overdue_list_flags_an_overdue_dossier_with_a_link_to_it(client, world):
    html = dashboard(client, supervisor_of(world.ward_a)).content.decode()
    overdue = section(html, "overdue-title")
    d4 = world.d["D4"]
    assert d4.code in overdue
    assert reverse("dossiers:officer_detail", args=[d4.pk]) in overdue
    row = re.search(rf"<tr[^>]*>(?:(?!</tr>).)*{re.escape(d4.code)}.*?</tr>", overdue, re.S)
    assert 'class="row-overdue"' in row.group(0)
    assert "badge-late" in row.group(0)


def test_the_overdue_list_excludes_other_agencies_dossiers(client, world):
    html = dashboard(client, supervisor_of(world.ward_a)).content.decode()
    assert world.e["E1"].code not in html


def test_the_overdue_list_excludes_dossiers_not_yet_due(client, world):
    html = dashboard(client, supervisor_of(world.ward_a)).content.decode()
    overdue = section(html, "overdue-title")
    for name in ("D5", "D11", "D1", "D6"):
        assert world.d[name].code not in overdue


def test_the_city_overdue_list_is_sorted_by_due_date(client, world):
    response = dashboard(client, supervisor_of(world.city))
    codes = [d.code for d in response.context["dashboard"].overdue]
    assert codes == [world.e["E1"].code, world.d["D4"].code]  # due 2 days ago, then 1


def test_the_due_soon_list_shows_a_dossier_due_within_the_alert_window(client, world):
    response = dashboard(client, supervisor_of(world.ward_a))
    assert [d.code for d in response.context["dashboard"].due_soon] == [world.d["D11"].code]
    soon = section(response.content.decode(), "soon-title")
    assert world.d["D11"].code in soon
    assert world.d["D5"].code not in soon


# --------------------------------------------------------------------------
# Who may see it
# --------------------------------------------------------------------------


def test_an_officer_who_is_not_a_supervisor_gets_a_404(client, world):
    officer = UserFactory()
    Membership.objects.create(user=officer, agency=world.ward_a, role=MembershipRole.OFFICER)
    client.force_login(officer)
    assert client.get(SUPERVISION).status_code == 404


def test_a_citizen_gets_a_404(client, world):
    client.force_login(world.applicant)
    assert client.get(SUPERVISION).status_code == 404


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(SUPERVISION)
    assert response.status_code == 302
    assert reverse("citizens:login") in response["Location"]


def test_a_ward_supervisor_cannot_open_another_wards_dashboard(client, world):
    client.force_login(supervisor_of(world.ward_a))
    assert client.get(SUPERVISION, {"agency": world.ward_b.pk}).status_code == 404
    assert client.get(SUPERVISION, {"agency": world.city.pk}).status_code == 404


def test_the_supervision_link_is_in_the_menu_of_supervisors_only(client, world):
    client.force_login(supervisor_of(world.ward_a))
    assert SUPERVISION in client.get(reverse("dossiers:statistics")).content.decode()
    client.force_login(world.applicant)
    assert SUPERVISION not in client.get(reverse("dossiers:statistics")).content.decode()


# --------------------------------------------------------------------------
# Periods
# --------------------------------------------------------------------------


def test_the_default_period_is_this_month(client, world):
    client.force_login(supervisor_of(world.ward_a))
    period = client.get(SUPERVISION).context["period"]
    today = statistics.local_today()
    assert (period.first_day, period.last_day) == (today.replace(day=1), today)


def test_a_custom_period_ending_before_it_starts_is_refused_with_a_message(client, world):
    client.force_login(supervisor_of(world.ward_a))
    client.cookies["portal_language"] = "en"
    response = client.get(
        SUPERVISION, {"period": "custom", "start": "2026-05-10", "end": "2026-05-01"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "must end on or after" in response.content.decode()


def test_a_year_long_period_is_charted_by_month(client, world):
    client.force_login(supervisor_of(world.ward_a))
    response = client.get(SUPERVISION, {"period": "year"})
    trend = response.context["dashboard"].trend
    assert trend.monthly is (statistics.local_today().timetuple().tm_yday > 92)


# --------------------------------------------------------------------------
# Charts
# --------------------------------------------------------------------------


def test_a_bar_chart_draws_one_bar_per_label_and_series():
    svg = charts.bar_chart(
        chart_id="t",
        title="Dossiers",
        labels=["01/11", "08/11", "15/11"],
        series=[charts.Series("Received", [3, 0, 5]), charts.Series("Completed", [1, 2, 0])],
    )
    assert svg.count('<rect class="bar ') == 6
    assert svg.count('class="bar bar-0"') == 3
    assert 'role="img"' in svg
    assert '<title id="t-title">Dossiers</title>' in svg


def test_a_chart_escapes_its_text():
    svg = charts.bar_chart(
        chart_id="t", title="<script>", labels=["<b>"], series=[charts.Series("&", [1])]
    )
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg


def test_a_line_chart_breaks_where_a_value_is_missing():
    svg = charts.line_chart(
        chart_id="t",
        title="On time",
        labels=["a", "b", "c", "d", "e"],
        series=[charts.Series("Rate", [50.0, 100.0, None, 80.0, 90.0])],
    )
    assert svg.count("<circle") == 4
    assert svg.count("<polyline") == 2


def _rendered_text_sizes(svg: str, *, width_px: float) -> list[float]:
    """The pixel size of every text of the chart drawn `width_px` wide."""
    root = ElementTree.fromstring(svg)
    viewbox_width = float(root.get("viewBox").split()[2])
    return [
        float(text.get("font-size")) * width_px / viewbox_width
        for text in root.iter("{http://www.w3.org/2000/svg}text")
    ]


@pytest.mark.parametrize("chart", ["bar", "line"])
def test_chart_labels_stay_at_least_12_px_on_a_390_px_phone(chart):
    labels = [f"{day:02d}/11" for day in range(1, 29)]
    if chart == "bar":
        svg = charts.bar_chart(
            chart_id="t",
            title="Dossiers",
            labels=labels,
            series=[charts.Series("Tiếp nhận", [3] * 28), charts.Series("Đã giải quyết", [1] * 28)],
        )
    else:
        svg = charts.line_chart(
            chart_id="t", title="On time", labels=labels, series=[charts.Series("Rate", [90] * 28)]
        )

    sizes = _rendered_text_sizes(svg, width_px=charts.PHONE_WIDTH_PX)

    assert sizes
    assert min(sizes) >= 12


def test_chart_x_labels_are_thinned_so_that_they_never_overlap():
    labels = [f"{day:02d}/11/2026" for day in range(1, 29)]
    svg = charts.bar_chart(
        chart_id="t", title="Dossiers", labels=labels, series=[charts.Series("A", [1] * 28)]
    )
    root = ElementTree.fromstring(svg)
    under_axis = [
        text
        for text in root.iter("{http://www.w3.org/2000/svg}text")
        if text.get("text-anchor") == "middle"
    ]
    xs = [float(text.get("x")) for text in under_axis]
    label_width = len(labels[0]) * charts.FONT_SIZE * charts.CHAR_EM

    assert 1 < len(xs) < len(labels)
    assert min(b - a for a, b in itertools.pairwise(xs)) > label_width


def test_the_dashboard_chart_has_two_bars_per_week_of_the_period(client, world):
    html = dashboard(client, supervisor_of(world.ward_a)).content.decode()
    today = statistics.local_today()
    days = [today - timedelta(days=n) for n in range(21)]
    weeks = {day - timedelta(days=day.weekday()) for day in days}
    assert html.count('<rect class="bar ') == 2 * len(weeks)
    assert 'aria-labelledby="supervision-volumes-title supervision-volumes-desc"' in html


def test_the_trend_counts_received_and_completed_per_week(client, world):
    trend = dashboard(client, supervisor_of(world.ward_a)).context["dashboard"].trend
    # Received in the period: six dossiers; completed: three.
    assert sum(trend.received) == 6
    assert sum(trend.completed) == 3


# --------------------------------------------------------------------------
# Public statistics
# --------------------------------------------------------------------------


def public_pages(world):
    return [
        reverse("dossiers:statistics"),
        reverse("dossiers:statistics_agency", args=[world.city.code]),
        reverse("dossiers:statistics_agency", args=[world.ward_a.code]),
        reverse("dossiers:statistics_procedure", args=[world.procedure.code]),
    ]


def test_public_pages_show_no_personal_data(client, world):
    for url in public_pages(world):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert APPLICANT_NAME not in html
        assert APPLICANT_ID not in html
        assert "Nhanh chóng" not in html  # rating comments stay with supervisors
        for dossier in [*world.d.values(), *world.e.values()]:
            if dossier.code:
                assert dossier.code not in html


def test_public_pages_drill_down_from_the_city_to_an_agency_to_a_procedure(client, world):
    city_page = client.get(reverse("dossiers:statistics")).content.decode()
    ward_url = reverse("dossiers:statistics_agency", args=[world.ward_a.code])
    assert f'href="{ward_url}"' in city_page
    ward_page = client.get(ward_url).content.decode()
    procedure_url = reverse("dossiers:statistics_procedure", args=[world.procedure.code])
    assert f'href="{procedure_url}"' in ward_page
    procedure_page = client.get(procedure_url)
    assert procedure_page.status_code == 200
    assert reverse("dossiers:statistics") in procedure_page.content.decode()


def test_the_public_city_figures_match_the_dossiers(client, world):
    ProcedureFactory(agencies=[world.ward_b], service_level=ServiceLevel.PARTIAL_ONLINE)
    ProcedureFactory(agencies=[world.ward_b], inactive=True)
    figures = client.get(reverse("dossiers:statistics")).context["figures"]
    # The last 12 months now include D9 (completed in 2 days, online, not rated).
    assert (figures.completed, figures.late) == (5, 1)
    assert figures.on_time_rate == 80.0
    assert figures.average_processing_days == 2.4  # (2 + 4 + 3 + 1 + 2) / 5
    assert (figures.online, figures.submitted) == (8, 12)
    # Active procedures: the birth registration (fully online) and one partly online.
    assert (figures.procedures_full_online, figures.procedures) == (1, 2)
    assert figures.full_online_share == 50.0
    # D1 got a signed result; D1, D2, D3, D9 and E2 should have one.
    assert figures.digital_results_share == 20.0
    assert figures.satisfaction == 4.0


def test_the_public_agency_page_lists_its_procedures_with_their_figures(client, world):
    response = client.get(reverse("dossiers:statistics_agency", args=[world.ward_b.code]))
    rows = {row.procedure.pk: row.tally for row in response.context["stats"].procedures}
    assert rows[world.procedure.pk].submitted == 2
    assert rows[world.procedure.pk].on_time_rate == 100.0


def test_the_public_procedure_page_breaks_figures_down_by_agency(client, world):
    response = client.get(reverse("dossiers:statistics_procedure", args=[world.procedure.code]))
    rows = {row.agency.pk: row.tally for row in response.context["stats"].agencies}
    assert rows[world.ward_a.pk].completed == 4  # D1, D2, D3 and D9, last 12 months
    assert rows[world.ward_b.pk].completed == 1


def test_public_pages_define_the_indicators(client, world):
    client.cookies["portal_language"] = "en"
    html = client.get(reverse("dossiers:statistics")).content.decode()
    definitions = section(html, "definitions-title")
    assert "calendar days" in definitions
    assert "Decision 766" in definitions


def test_public_figures_are_cached_for_a_while(client, world):
    url = reverse("dossiers:statistics")
    client.get(url)
    DossierFactory(submitted=True, agency=world.ward_a, procedure=world.procedure)
    assert client.get(url).context["figures"].submitted == 12
    cache.clear()
    assert client.get(url).context["figures"].submitted == 13


def test_the_rendered_public_page_follows_its_figures_and_language(client, world):
    url = reverse("dossiers:statistics")

    def main():
        return re.search(r"<main.*</main>", client.get(url).content.decode(), flags=re.S).group(0)

    period = client.get(url).context["period"]
    vietnamese = main()
    client.cookies["portal_language"] = "en"
    assert "of 12 dossiers submitted" in section(main(), "indicators-title")
    client.cookies["portal_language"] = "vi"
    assert main() == vietnamese
    DossierFactory(submitted=True, agency=world.ward_a, procedure=world.procedure)
    assert main() == vietnamese  # the same figures, still cached

    # The figures expire, not the page.
    cache.delete(f"statistics:{statistics._CACHE_VERSION}:city:{period.key}")
    client.cookies["portal_language"] = "en"

    assert "of 13 dossiers submitted" in section(main(), "indicators-title")


def test_expired_figures_are_served_while_another_request_computes_them(
    client, world, django_assert_num_queries
):
    url = reverse("dossiers:statistics")
    period = client.get(url).context["period"]
    key = f"statistics:{statistics._CACHE_VERSION}:city:{period.key}"
    DossierFactory(submitted=True, agency=world.ward_a, procedure=world.procedure)
    cache.delete(key)  # the figures expire...
    cache.add(f"{key}:computing", 1)  # ...while a request is computing them

    with django_assert_num_queries(0):
        assert statistics.city_statistics(period).figures.submitted == 12

    cache.delete(f"{key}:computing")  # that request is done or gone: the next one computes
    assert statistics.city_statistics(period).figures.submitted == 13


def test_a_year_can_be_chosen_on_the_public_pages(client, world):
    year = statistics.local_today().year
    response = client.get(reverse("dossiers:statistics"), {"year": year})
    assert response.context["period"].first_day.isoformat() == f"{year}-01-01"
    response = client.get(reverse("dossiers:statistics"), {"year": "1999"})
    assert response.context["year"] is None  # not offered: the last 12 months


def test_an_unknown_agency_or_procedure_is_a_404(client, db):
    assert client.get(reverse("dossiers:statistics_agency", args=["NOPE"])).status_code == 404
    assert client.get(reverse("dossiers:statistics_procedure", args=["0.0"])).status_code == 404


def test_the_statistics_link_is_in_everyones_menu(client, db):
    html = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("dossiers:statistics")}"' in html


def test_the_dashboard_costs_the_same_queries_however_many_dossiers(client, world):
    supervisor = supervisor_of(world.city)
    client.force_login(supervisor)
    with CaptureQueriesContext(connection) as before:
        client.get(SUPERVISION, custom_period())
    for _n in range(15):
        DossierFactory(
            completed=True,
            agency=world.ward_b,
            procedure=world.procedure,
            submitted_at=timezone.now() - timedelta(days=5),
        )
    with CaptureQueriesContext(connection) as after:
        client.get(SUPERVISION, custom_period())
    assert len(after.captured_queries) == len(before.captured_queries)
