"""Helpers for accounts in tests: verified identities and staff sessions."""

import datetime as dt
import time

from django.conf import settings
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from citizens import services
from citizens.constants import IdentityLevel
from citizens.middleware import SEEN_AT
from citizens.signals import SIGNED_IN_AT


def confirmed_totp_device(user) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="Test app", confirmed=True)


def pass_second_factor(client, user) -> None:
    """Mark a test client's session as having passed the second factor."""
    device = confirmed_totp_device(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    # As the middleware keeps them on a staff session in use.
    now = int(time.time())
    session[SIGNED_IN_AT] = now
    session[SEEN_AT] = now
    session.set_expiry(settings.STAFF_SESSION_IDLE_MINUTES * 60)
    session.save()


def totp_code(device: TOTPDevice) -> str:
    """The code an authenticator app shows now for this device."""
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{value:0{device.digits}d}"


def fresh_totp_code(device: TOTPDevice) -> str:
    """A code the device has not accepted yet: django-otp refuses a code used once,
    so a second sign-in within the same 30 seconds waits for the next code."""
    device.refresh_from_db()
    step = int(time.time() - device.t0) // device.step
    if device.last_t is not None and step <= device.last_t:
        time.sleep(device.t0 + (device.last_t + 1) * device.step - time.time() + 0.05)
    return totp_code(device)


def verify_identity(user, *, national_id: str | None = None, method=IdentityLevel.IN_PERSON):
    """Verify an account's identity as an officer or the national provider would."""
    return services.identity_verify(
        user=user,
        method=method,
        national_id=national_id or user.national_id,
        full_name=user.full_name or "Trần Thị Bình",
        date_of_birth=user.date_of_birth or dt.date(1990, 1, 1),
        gender=user.gender or "female",
        actor=user,
    )
