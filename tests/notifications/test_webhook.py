"""The SMS / chat-app channel against a local gateway: the JSON, the token, the key."""

import pytest

from notifications.constants import NotificationChannel, NotificationStatus
from notifications.models import Notification
from notifications.services import notification_deliver, notify
from tests.factories import DossierFactory, UserFactory
from tests.notifications.conftest import WEBHOOK_TOKEN

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "start"),
    [("vi", "Đã tiếp nhận hồ sơ {code}."), ("en", "Dossier {code} received.")],
)
def test_the_gateway_gets_the_message_as_json_with_the_token_and_an_idempotency_key(
    settings, gateway, language, start
):
    settings.PORTAL_BASE_URL = "https://dichvucong.danang.example"
    user = UserFactory(phone="0905123456", language=language, notify_by_email=False)
    dossier = DossierFactory(received=True, applicant=user)
    notify(
        users=[user],
        kind="dossier_received",
        context={"dossier": dossier},
        link=f"/dossiers/{dossier.pk}/",
        dedupe_key="dossier-event:1",
    )
    row = Notification.objects.get(user=user, channel=NotificationChannel.SMS)

    assert notification_deliver(row.pk) == NotificationStatus.SENT

    (request,) = gateway.requests
    assert request.path == "/api/messages"
    assert request.headers["Authorization"] == f"Bearer {WEBHOOK_TOKEN}"
    assert request.headers["Idempotency-Key"] == f"notification-{row.pk}"
    assert request.headers["Content-Type"] == "application/json; charset=utf-8"
    body = request.body
    assert set(body) == {"recipient", "message", "template", "link", "reference"}
    assert body["recipient"] == "0905123456"
    assert body["template"] == "dossier_received"
    assert body["reference"] == dossier.code
    assert body["link"] == f"https://dichvucong.danang.example/dossiers/{dossier.pk}/"
    assert body["message"].startswith(start.format(code=dossier.code))
    assert body["message"].endswith(body["link"])
    assert len(body["message"]) <= 300


def test_a_redirecting_gateway_is_a_failed_attempt(settings, gateway):
    gateway.plan = [302]
    user = UserFactory(phone="0905123456")
    notify(
        users=[user],
        kind="dossier_submitted",
        context={"dossier": DossierFactory(submitted=True, applicant=user)},
        dedupe_key="k",
    )
    row = Notification.objects.get(user=user, channel=NotificationChannel.SMS)
    assert notification_deliver(row.pk) == NotificationStatus.PENDING
    row.refresh_from_db()
    assert "HTTP 302" in row.last_error


def test_a_number_removed_before_delivery_fails_the_row_without_retrying(gateway):
    user = UserFactory(phone="0905123456")
    notify(
        users=[user],
        kind="dossier_submitted",
        context={"dossier": DossierFactory(submitted=True, applicant=user)},
        dedupe_key="k",
    )
    row = Notification.objects.get(user=user, channel=NotificationChannel.SMS)
    user.phone = ""
    user.save()
    assert notification_deliver(row.pk) == NotificationStatus.FAILED
    assert gateway.requests == []
