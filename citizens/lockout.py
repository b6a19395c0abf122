"""Sign-in lockout, by django-axes: per account and address, and per account.

An account is one person, whichever identifier they type (username, email or
verified citizen ID), so failures are counted against the account the
identifier names (`account_key`); an identifier that names no account counts
as itself, so that unknown and known names behave alike. Two thresholds:

- LOGIN_MAX_FAILURES_PER_ADDRESS failures for one account from one address
  pause sign-in to that account from that address: a typist is slowed, the
  rest of the office or carrier NAT behind the address is not;
- LOGIN_MAX_FAILURES_PER_ACCOUNT failures for the account from anywhere
  pause password sign-in to it, against guessing spread over many addresses.
  Signing in with the national identity provider and resetting the password
  still work, so nobody can lock the holder out of their account for good.

Never per address alone. Lockouts last AXES_COOLOFF_TIME from the last failure,
are logged by axes (AccessAttempt, AccessFailureLog in the admin) and leave an
AccountEvent on the account.
"""

from dataclasses import dataclass
from datetime import datetime

from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Sum
from django.utils import timezone

from citizens.constants import LOGIN_MAX_FAILURES_PER_ACCOUNT, LOGIN_MAX_FAILURES_PER_ADDRESS
from citizens.selectors import account_for_identifier


def account_key(request, credentials: dict | None) -> str | None:
    """What axes counts failures against: the account's username, or the name typed."""
    identifier = (credentials or {}).get("username")
    if identifier is None and request is not None:
        identifier = request.POST.get("username")
    if not identifier:
        return None
    identifier = identifier.strip()
    memo = getattr(request, "_lockout_keys", None)
    if memo is None:
        memo = {}
        if request is not None:
            request._lockout_keys = memo
    if identifier not in memo:
        account = account_for_identifier(identifier)
        memo[identifier] = account.get_username() if account else identifier.lower()
    return memo[identifier]


def failure_limit(request, credentials) -> int:
    return LOGIN_MAX_FAILURES_PER_ADDRESS


class LockoutHandler(AxesDatabaseHandler):
    """Axes' database handler with a second, higher threshold for the account alone.

    Axes compares one number with one limit; the account-wide count is scaled
    so that reaching LOGIN_MAX_FAILURES_PER_ACCOUNT reaches the same limit as
    LOGIN_MAX_FAILURES_PER_ADDRESS failures from one address.
    """

    def get_failures(self, request, credentials: dict | None = None) -> int:
        per_address, per_account = (
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        scaled = per_account * LOGIN_MAX_FAILURES_PER_ADDRESS // LOGIN_MAX_FAILURES_PER_ACCOUNT
        return max(per_address, scaled)


@dataclass(frozen=True)
class Lockout:
    """What is locked and until when, for the message the person reads."""

    whole_account: bool
    until: datetime

    @property
    def minutes_left(self) -> int:
        seconds = (self.until - timezone.now()).total_seconds()
        return max(1, int(seconds // 60) + (1 if seconds % 60 else 0))


def lockout_for(username_key: str, address: str | None) -> Lockout | None:
    """The lockout now in force for this account key (from this address), if any."""
    if not username_key:
        return None
    threshold = timezone.now() - settings.AXES_COOLOFF_TIME
    recent = AccessAttempt.objects.filter(username=username_key, attempt_time__gte=threshold)
    account = recent.aggregate(total=Sum("failures_since_start"), last=Max("attempt_time"))
    if (account["total"] or 0) >= LOGIN_MAX_FAILURES_PER_ACCOUNT:
        return Lockout(whole_account=True, until=account["last"] + settings.AXES_COOLOFF_TIME)
    pair = recent.filter(ip_address=address).aggregate(
        total=Sum("failures_since_start"), last=Max("attempt_time")
    )
    if (pair["total"] or 0) >= LOGIN_MAX_FAILURES_PER_ADDRESS:
        return Lockout(whole_account=False, until=pair["last"] + settings.AXES_COOLOFF_TIME)
    return None


def lockout_response(request, original_response, credentials):
    """The page that was rendered (it says what is locked), as 429 Too Many Requests."""
    if original_response is None or original_response.status_code != 200:
        return original_response
    original_response.status_code = 429
    return original_response
