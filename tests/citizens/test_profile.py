"""Profile: a validated citizen ID; an unverified one is a claim, a verified one is locked."""

from datetime import date

import pytest
from django.urls import reverse

from tests.accounts import verify_identity
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

VALID = {
    "full_name": "Nguyễn Văn An",
    "national_id": "048090000123",
    "date_of_birth": "1990-05-02",
    "gender": "male",
    "phone": "0905123456",
    "email": "an@example.vn",
    "permanent_street": "12 Lê Duẩn",
    "permanent_ward": "Phường Hải Châu",
    "permanent_province": "Thành phố Đà Nẵng",
    "current_street": "",
    "current_ward": "",
    "current_district": "",
    "current_province": "",
    "permanent_district": "",
}


def test_profile_saves_a_consistent_citizen_id(client):
    user = UserFactory(username="an")
    client.force_login(user)
    response = client.post(reverse("citizens:profile"), VALID)
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.national_id == "048090000123"
    assert user.permanent_address == "12 Lê Duẩn, Phường Hải Châu, Thành phố Đà Nẵng"
    assert user.profile_complete


def test_profile_refuses_an_id_whose_year_contradicts_the_birth_date_and_keeps_input(client):
    user = UserFactory(username="an")
    client.force_login(user)
    response = client.post(reverse("citizens:profile"), {**VALID, "date_of_birth": "1985-05-02"})
    assert response.status_code == 200
    assert "sinh năm 1990" in response.text
    assert 'value="12 Lê Duẩn"' in response.text
    user.refresh_from_db()
    assert user.national_id is None


def test_profile_accepts_an_id_only_claimed_by_someone_else_and_it_unlocks_nothing(client):
    UserFactory(username="other", national_id="048090000123")
    user = UserFactory(username="an")
    client.force_login(user)
    response = client.post(reverse("citizens:profile"), VALID)
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.national_id == "048090000123"
    assert not user.identity_verified


def test_profile_refuses_an_id_verified_on_another_account(client):
    verify_identity(UserFactory(username="other", national_id="048090000123"))
    user = UserFactory(username="an")
    client.force_login(user)
    response = client.post(reverse("citizens:profile"), VALID)
    assert response.status_code == 200
    assert "đã được xác thực trên một tài khoản khác" in response.text
    user.refresh_from_db()
    assert user.national_id is None


def test_a_verified_identity_cannot_be_edited_in_the_profile(client):
    user = UserFactory(
        username="an",
        full_name="Nguyễn Văn An",
        national_id="048090000123",
        date_of_birth=date(1990, 5, 2),
        gender="male",
    )
    verify_identity(user)
    client.force_login(user)
    response = client.post(
        reverse("citizens:profile"),
        {
            **VALID,
            "full_name": "Someone Else",
            "national_id": "048090999999",
            "phone": "0911222333",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.full_name, user.national_id) == ("Nguyễn Văn An", "048090000123")
    assert user.phone == "0911222333"


def test_profile_page_shows_only_the_logged_in_users_data(client):
    other = UserFactory(username="other", full_name="Phạm Thị Secret", national_id="048090000123")
    client.force_login(UserFactory(username="an"))
    response = client.get(reverse("citizens:profile"), {"user": other.pk, "pk": other.pk})
    assert "Phạm Thị Secret" not in response.text
    assert "048090000123" not in response.text
