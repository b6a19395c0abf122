"""Each person chooses the channels, and the language, in their profile."""

import re

import pytest
from django.urls import reverse

from notifications.services import notify
from tests.citizens.test_profile import VALID
from tests.factories import DossierFactory, UserFactory

pytestmark = pytest.mark.django_db


def channels_written(user) -> set[str]:
    dossier = DossierFactory(received=True, applicant=user)
    rows = notify(
        users=[user], kind="dossier_received", context={"dossier": dossier}, dedupe_key="k"
    )
    return {row.channel for row in rows}


def test_every_channel_is_written_for_a_user_who_keeps_them_all(gateway):
    user = UserFactory(phone="0905123456")
    assert channels_written(user) == {"email", "sms", "in_app"}


def test_a_user_with_sms_turned_off_gets_no_sms_row(gateway):
    user = UserFactory(phone="0905123456", notify_by_sms=False)
    assert channels_written(user) == {"email", "in_app"}


def test_a_user_with_email_and_in_app_turned_off_gets_only_the_sms_row(gateway):
    user = UserFactory(phone="0905123456", notify_by_email=False, notify_in_app=False)
    assert channels_written(user) == {"sms"}


def test_no_sms_row_without_a_phone_number_or_without_a_gateway(settings, gateway):
    assert channels_written(UserFactory(phone="")) == {"email", "in_app"}
    settings.NOTIFY_WEBHOOK_URL = ""
    assert channels_written(UserFactory(phone="0905123456")) == {"email", "in_app"}


def test_no_email_row_without_an_email_address():
    assert channels_written(UserFactory(email="")) == {"in_app"}


def test_the_profile_saves_the_language_and_the_channels(client):
    user = UserFactory(username="an")
    client.force_login(user)
    response = client.post(
        reverse("citizens:profile"),
        {**VALID, "language": "en", "notify_by_email": "on", "notify_in_app": "on"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.language == "en"
    assert (user.notify_by_email, user.notify_by_sms, user.notify_in_app) == (True, False, True)


def test_the_profile_page_shows_the_notification_choices(client):
    client.force_login(UserFactory(username="an", notify_by_sms=False))
    page = client.get(reverse("citizens:profile")).text
    assert "<legend><h2>Thông báo</h2></legend>" in page
    assert 'name="notify_by_sms"' in page
    assert re.search(r'name="notify_by_email" id="id_notify_by_email" checked', page)
    assert re.search(r'name="notify_by_sms" id="id_notify_by_sms">', page)
