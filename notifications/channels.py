"""How a stored notification leaves the portal: email, or a JSON webhook (SMS / chat app).

Both are at-least-once. A row is marked sent in the transaction that sent it,
so a worker killed after the receiver got the message but before the commit
leaves the row pending and the sweeper sends it again. Each send therefore
carries a key derived from the row: the email's Message-ID and the webhook's
`Idempotency-Key` header, with which a receiver drops the repeat. In-app rows
need no sending: they are delivered by being written.
"""

import json
import urllib.error
import urllib.request
from http.client import HTTPException
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives

from core.links import public_url
from notifications.constants import NotificationChannel


class DeliveryError(Exception):
    """The channel did not take the message; the attempt is retried later."""


class PermanentDeliveryError(DeliveryError):
    """The message can never go out this way (no address any more); not retried."""


def idempotency_key(notification) -> str:
    return f"notification-{notification.pk}"


def message_id(notification) -> str:
    """The same Message-ID on every attempt, unique across databases by the creation time."""
    host = urlsplit(settings.PORTAL_BASE_URL).hostname or "localhost"
    stamp = int(notification.created_at.timestamp())
    return f"<{idempotency_key(notification)}.{stamp}@{host}>"


def send_email(notification) -> None:
    address = notification.user.email
    if not address:
        raise PermanentDeliveryError("The recipient has no email address.")
    message = EmailMultiAlternatives(
        subject=notification.subject,
        body=notification.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[address],
        headers={
            "Message-ID": message_id(notification),
            "Content-Language": notification.language,
            "Auto-Submitted": "auto-generated",
        },
    )
    if notification.body_html:
        message.attach_alternative(notification.body_html, "text/html")
    try:
        message.send()
    except (OSError, HTTPException) as error:  # smtplib's errors are OSErrors
        raise DeliveryError(f"Email not accepted: {error}") from error


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # urllib would turn a redirected POST into a GET without the message; a
    # gateway that redirects is misconfigured, and that is a failed attempt.
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def webhook_payload(notification) -> dict:
    return {
        "recipient": notification.user.phone,
        "message": notification.short_text,
        "template": notification.kind,
        "link": public_url(notification.link),
        "reference": notification.reference,
    }


def send_webhook(notification) -> None:
    """POST the message as JSON to NOTIFY_WEBHOOK_URL; anything but a 2xx is a failure."""
    url = settings.NOTIFY_WEBHOOK_URL
    if urlsplit(url).scheme not in ("http", "https"):
        raise PermanentDeliveryError("NOTIFY_WEBHOOK_URL is not set to an http(s) address.")
    if not notification.user.phone:
        raise PermanentDeliveryError("The recipient has no phone number.")
    request = urllib.request.Request(
        url,
        data=json.dumps(webhook_payload(notification), ensure_ascii=False).encode(),
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "Accept": "application/json",
            "Authorization": f"Bearer {settings.NOTIFY_WEBHOOK_TOKEN}",
            "Idempotency-Key": idempotency_key(notification),
        },
    )
    try:
        with _opener.open(request, timeout=settings.NOTIFY_WEBHOOK_TIMEOUT) as response:
            status = response.status
    except urllib.error.HTTPError as error:  # a response, but not a 2xx one
        error.close()
        raise DeliveryError(f"Webhook answered HTTP {error.code}.") from error
    except (OSError, HTTPException) as error:  # refused, timed out, reset, garbled
        raise DeliveryError(f"Webhook not reached: {error}") from error
    if not 200 <= status < 300:
        raise DeliveryError(f"Webhook answered HTTP {status}.")


SENDERS = {
    NotificationChannel.EMAIL: send_email,
    NotificationChannel.SMS: send_webhook,
}


def send(notification) -> None:
    SENDERS[notification.channel](notification)
