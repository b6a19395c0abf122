"""The in-app centre: the header's unread count, the list, marking read, privacy."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification
from notifications.services import notify
from tests.factories import DossierFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def citizen():
    return UserFactory(username="an", full_name="Nguyễn Văn An", notify_by_email=False)


def in_app(user, kind="dossier_received", key="k", link=None) -> Notification:
    dossier = DossierFactory(received=True, applicant=user)
    (row,) = notify(
        users=[user],
        kind=kind,
        context={"dossier": dossier},
        link=link if link is not None else f"/dossiers/{dossier.pk}/",
        dedupe_key=key,
    )
    return row


def unread_in_header(page: str) -> str | None:
    match = re.search(r'<strong class="badge badge-late" aria-hidden="true">(\d+)</strong>', page)
    return match and match.group(1)


def test_the_header_shows_the_unread_count_with_words_for_screen_readers(client, citizen):
    in_app(citizen, key="a")
    in_app(citizen, key="b")
    client.force_login(citizen)
    page = client.get(reverse("home")).text
    assert unread_in_header(page) == "2"
    assert '<span class="visually-hidden">(2 chưa đọc)</span>' in page


def test_the_header_shows_no_count_when_everything_is_read(client, citizen):
    Notification.objects.filter(pk=in_app(citizen).pk).update(read_at=timezone.now())
    client.force_login(citizen)
    page = client.get(reverse("home")).text
    assert reverse("notifications:centre") in page
    assert unread_in_header(page) is None


def test_anonymous_visitors_see_no_notifications_link(client):
    assert reverse("notifications:centre") not in client.get(reverse("home")).text


def test_the_centre_lists_the_users_messages_newest_first_in_their_language(client, citizen):
    older = in_app(citizen, kind="dossier_submitted", key="a")
    newer = in_app(citizen, kind="dossier_received", key="b")
    Notification.objects.filter(pk=older.pk).update(created_at=timezone.now().replace(year=2025))
    client.force_login(citizen)
    page = client.get(reverse("notifications:centre")).text
    assert page.index(newer.subject) < page.index(older.subject)
    assert "Đã tiếp nhận hồ sơ" in page
    assert page.count(">Chưa đọc</span>") == 2


def test_opening_a_notification_marks_it_read_and_goes_to_its_page(client, citizen):
    row = in_app(citizen)
    client.force_login(citizen)
    response = client.post(reverse("notifications:read", args=[row.pk]))
    assert response.status_code == 302
    assert response.url == row.link
    row.refresh_from_db()
    assert row.read_at is not None
    assert unread_in_header(client.get(reverse("home")).text) is None


def test_a_notification_linking_off_site_returns_to_the_centre(client, citizen):
    row = in_app(citizen, link="https://evil.example/phish")
    client.force_login(citizen)
    response = client.post(reverse("notifications:read", args=[row.pk]))
    assert response.url == reverse("notifications:centre")


def test_mark_all_as_read_clears_the_count(client, citizen):
    in_app(citizen, key="a")
    in_app(citizen, key="b")
    client.force_login(citizen)
    response = client.post(reverse("notifications:read_all"), follow=True)
    assert unread_in_header(response.text) is None
    assert not Notification.objects.filter(user=citizen, read_at__isnull=True).exists()


def test_another_users_notification_is_not_found_and_stays_unread(client, citizen):
    other = UserFactory(username="binh", notify_by_email=False)
    row = in_app(other)
    client.force_login(citizen)
    assert client.post(reverse("notifications:read", args=[row.pk])).status_code == 404
    assert row.subject not in client.get(reverse("notifications:centre")).text
    client.post(reverse("notifications:read_all"))
    row.refresh_from_db()
    assert row.read_at is None


def test_marking_read_needs_a_post(client, citizen):
    row = in_app(citizen)
    client.force_login(citizen)
    assert client.get(reverse("notifications:read", args=[row.pk])).status_code == 405


def test_the_centre_needs_a_login(client):
    response = client.get(reverse("notifications:centre"))
    assert response.status_code == 302
    assert reverse("citizens:login") in response.url


def test_the_admin_lists_notifications_read_only(client):
    row = in_app(UserFactory(notify_by_email=False))
    client.force_login(UserFactory(administrator=True))
    changelist = reverse("admin:notifications_notification_changelist")
    assert row.reference in client.get(changelist).text
    filtered = client.get(changelist, {"status__exact": "sent", "channel__exact": "in_app"})
    assert filtered.status_code == 200
    assert client.get(reverse("admin:notifications_notification_add")).status_code == 403
    change = client.get(reverse("admin:notifications_notification_change", args=[row.pk]))
    assert change.status_code == 200
    assert 'name="_save"' not in change.text
