"""The applicant rates a completed dossier, once; satisfaction reaches the supervisor."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from citizens.constants import MembershipRole
from citizens.models import Membership
from dossiers import services
from dossiers.constants import DossierState
from dossiers.models import DossierRating
from tests.factories import DossierFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def completed(db):
    """Completed yesterday, three days after it was filed."""
    submitted = timezone.now() - timedelta(days=3)
    return DossierFactory(
        completed=True,
        submitted_at=submitted,
        received_at=submitted + timedelta(hours=2),
        due_at=submitted + timedelta(days=5),
        closed_at=submitted + timedelta(days=2),
    )


def rate_url(dossier):
    return reverse("dossiers:rate", args=[dossier.pk])


def detail_url(dossier):
    return reverse("dossiers:detail", args=[dossier.pk])


def test_the_applicant_rates_a_completed_dossier(client, completed):
    client.force_login(completed.applicant)
    response = client.post(rate_url(completed), {"score": "4", "comment": "  Nhanh, chu đáo. "})
    assert response.status_code == 302
    assert response["Location"] == detail_url(completed) + "#rating"
    rating = DossierRating.objects.get(dossier=completed)
    assert (rating.score, rating.comment) == (4, "Nhanh, chu đáo.")


def test_a_dossier_is_rated_only_once(client, completed):
    client.force_login(completed.applicant)
    client.post(rate_url(completed), {"score": "4"})
    response = client.post(rate_url(completed), {"score": "1", "comment": "Changed my mind"})
    assert response.status_code == 302
    assert DossierRating.objects.filter(dossier=completed).count() == 1
    assert DossierRating.objects.get(dossier=completed).score == 4


def test_the_second_attempt_tells_the_applicant_it_was_already_rated(client, completed):
    client.cookies["portal_language"] = "en"
    client.force_login(completed.applicant)
    client.post(rate_url(completed), {"score": "4"})
    response = client.post(rate_url(completed), {"score": "2"}, follow=True)
    assert "already rated" in response.content.decode()


@pytest.mark.parametrize("trait", ["submitted", "received", "supplement_requested", "rejected"])
def test_a_dossier_that_is_not_completed_cannot_be_rated(client, trait):
    dossier = DossierFactory(**{trait: True})
    client.force_login(dossier.applicant)
    assert client.post(rate_url(dossier), {"score": "5"}).status_code == 404
    assert not DossierRating.objects.exists()


def test_another_user_gets_a_404(client, completed):
    client.force_login(UserFactory())
    assert client.post(rate_url(completed), {"score": "5"}).status_code == 404
    assert not DossierRating.objects.exists()


def test_an_officer_of_the_agency_cannot_rate_it_either(client, completed):
    officer = UserFactory()
    Membership.objects.create(user=officer, agency=completed.agency, role=MembershipRole.OFFICER)
    client.force_login(officer)
    assert client.post(rate_url(completed), {"score": "5"}).status_code == 404


def test_a_score_outside_one_to_five_is_refused_and_the_form_shown_again(client, completed):
    client.cookies["portal_language"] = "en"
    client.force_login(completed.applicant)
    response = client.post(rate_url(completed), {"score": "6", "comment": "Kept text"})
    assert response.status_code == 400
    assert not DossierRating.objects.exists()
    html = response.content.decode()
    assert "Kept text" in html
    assert 'class="errorlist"' in html


def test_rating_needs_a_post(client, completed):
    client.force_login(completed.applicant)
    assert client.get(rate_url(completed)).status_code == 405


def test_the_completed_dossier_page_offers_five_labelled_scores(client, completed):
    client.cookies["portal_language"] = "en"
    client.force_login(completed.applicant)
    html = client.get(detail_url(completed)).content.decode()
    assert f'action="{rate_url(completed)}"' in html
    assert html.count('type="radio" name="score"') == 5
    assert "<legend>How satisfied are you" in html
    assert '<label for="id_comment">' in html


def test_after_rating_the_page_shows_the_rating_instead_of_the_form(client, completed):
    client.cookies["portal_language"] = "en"
    client.force_login(completed.applicant)
    client.post(rate_url(completed), {"score": "5", "comment": "Rất tốt"})
    html = client.get(detail_url(completed)).content.decode()
    assert "You rated this dossier 5 out of 5" in html
    assert "Rất tốt" in html
    assert 'name="score"' not in html


def test_an_open_dossier_page_has_no_rating_form(client):
    dossier = DossierFactory(received=True)
    client.force_login(dossier.applicant)
    assert 'name="score"' not in client.get(detail_url(dossier)).content.decode()


def test_the_service_refuses_someone_other_than_the_applicant(completed):
    with pytest.raises(PermissionDenied):
        services.dossier_rate(dossier=completed, actor=UserFactory(), score=5)


def test_the_service_refuses_an_open_dossier():
    dossier = DossierFactory(received=True)
    with pytest.raises(ValidationError):
        services.dossier_rate(dossier=dossier, actor=dossier.applicant, score=5)
    assert dossier.state == DossierState.RECEIVED


def test_a_rating_reaches_the_supervisors_satisfaction_figure(client, completed):
    client.force_login(completed.applicant)
    client.post(rate_url(completed), {"score": "2"})
    supervisor = UserFactory()
    Membership.objects.create(
        user=supervisor, agency=completed.agency, role=MembershipRole.SUPERVISOR
    )
    client.force_login(supervisor)
    response = client.get(reverse("dossiers:supervision"), {"period": "30d"})
    figures = response.context["figures"]
    assert (figures.ratings, figures.satisfaction) == (1, 2.0)
