"""Sign-in with the national identity provider, as an OpenID Connect client (Authlib).

The authorization code flow with PKCE (S256), state and nonce, as VNeID
level-2 accounts are used by the national public-services portal. Everything
the portal learns about the person comes from the provider over its own TLS
connection (token and userinfo endpoints), checked before it is believed:

- the ID token's signature, against the keys the provider publishes (its JWKS,
  fetched again once when a token names a key not seen yet);
- its issuer (the configured one, which must also be the discovery
  document's), audience (this client), expiry and issue time (with
  OIDC_LEEWAY_SECONDS of clock difference), nonce (this browser's sign-in),
  and the access token's hash when the token carries one;
- the userinfo answer's subject, which must be the ID token's;
- the claims: a well-formed citizen ID number and a name.

Anything else (the provider down, slow, or answering garbage; a forged, stale
or replayed answer; the person cancelling) raises `SignInError` with a kind
the view turns into a translated message. Password sign-in never depends on
the provider.
"""

import datetime as dt
import logging
import threading
from dataclasses import dataclass

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client import OAuthError
from authlib.integrations.django_client import DjangoIntegration, DjangoOAuth2App
from django.conf import settings
from django.core.exceptions import ValidationError
from joserfc.errors import JoseError

from citizens.constants import Gender
from citizens.national_id import validate_national_id_format

logger = logging.getLogger(__name__)

# Signing algorithms accepted for ID tokens, whatever the provider lists.
ID_TOKEN_ALGORITHMS = ["RS256", "PS256", "ES256", "RS384", "RS512", "ES384", "EdDSA"]

# The failures the flow can meet: the network, a malformed or error answer, a
# token that does not verify. None of them is a bug of the portal.
_PROVIDER_FAILURES = (
    requests.RequestException,
    ValueError,
    KeyError,
    TypeError,
    RuntimeError,
    AuthlibBaseError,
    JoseError,
)


class SignInError(Exception):
    """Sign-in with the provider did not succeed; `kind` says why, for the message."""

    UNAVAILABLE = "unavailable"  # not configured, down, slow, or answering garbage
    REJECTED = "rejected"  # its answer did not verify (signature, issuer, audience, nonce...)
    CANCELLED = "cancelled"  # the person cancelled or refused consent at the provider
    EXPIRED = "expired"  # the sign-in started in this browser is unknown or stale
    INCOMPLETE = "incomplete"  # the provider did not give the citizen ID and name

    def __init__(self, kind: str, detail: str = ""):
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind = kind
        self.detail = detail


@dataclass(frozen=True)
class VerifiedPerson:
    """Who the provider vouched for, from a verified ID token and userinfo answer."""

    issuer: str
    subject: str
    national_id: str
    full_name: str
    date_of_birth: dt.date | None
    gender: str
    email: str
    phone: str

    def as_session(self) -> dict:
        data = dict(self.__dict__)
        data["date_of_birth"] = self.date_of_birth.isoformat() if self.date_of_birth else None
        return data

    @classmethod
    def from_session(cls, data: dict) -> "VerifiedPerson":
        born = data.get("date_of_birth")
        return cls(**{**data, "date_of_birth": dt.date.fromisoformat(born) if born else None})


def is_configured() -> bool:
    return bool(settings.OIDC_ISSUER and settings.OIDC_CLIENT_ID)


# One client per configuration, kept for the process: it holds the provider's
# discovery document and keys once fetched. A failed fetch keeps nothing.
_clients: dict[tuple, DjangoOAuth2App] = {}
_clients_lock = threading.Lock()


def _config() -> tuple:
    return (
        settings.OIDC_ISSUER,
        settings.OIDC_CLIENT_ID,
        settings.OIDC_CLIENT_SECRET,
        settings.OIDC_SCOPES,
        settings.OIDC_TIMEOUT_SECONDS,
    )


def _client() -> DjangoOAuth2App:
    if not is_configured():
        raise SignInError(SignInError.UNAVAILABLE, "not configured")
    config = _config()
    with _clients_lock:
        client = _clients.get(config)
        if client is None:
            issuer, client_id, client_secret, scopes, timeout = config
            client = DjangoOAuth2App(
                DjangoIntegration("national_id"),
                name="national_id",
                client_id=client_id,
                client_secret=client_secret,
                server_metadata_url=f"{issuer}/.well-known/openid-configuration",
                client_kwargs={
                    "scope": scopes,
                    "code_challenge_method": "S256",
                    "default_timeout": timeout,
                },
            )
            _clients[config] = client
    return client


def forget_provider() -> None:
    """Drop what was learnt of the provider (its metadata and keys); tests use it."""
    with _clients_lock:
        _clients.clear()


def _metadata(client: DjangoOAuth2App) -> dict:
    try:
        metadata = client.load_server_metadata()
    except _PROVIDER_FAILURES as error:
        _discard(client)
        raise SignInError(SignInError.UNAVAILABLE, f"discovery: {error!r}") from error
    # A discovery document naming another issuer is a mix-up or an impostor.
    if not isinstance(metadata.get("issuer"), str) or (
        metadata["issuer"].rstrip("/") != settings.OIDC_ISSUER
    ):
        _discard(client)
        raise SignInError(
            SignInError.UNAVAILABLE, f"discovery names issuer {metadata.get('issuer')!r}"
        )
    for endpoint in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not isinstance(metadata.get(endpoint), str):
            _discard(client)
            raise SignInError(SignInError.UNAVAILABLE, f"discovery lacks {endpoint}")
    metadata["id_token_signing_alg_values_supported"] = [
        alg
        for alg in metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
        if alg in ID_TOKEN_ALGORITHMS
    ] or ["RS256"]
    return metadata


def _discard(client: DjangoOAuth2App) -> None:
    with _clients_lock:
        for key, known in list(_clients.items()):
            if known is client:
                del _clients[key]


def authorization_redirect(request, *, redirect_uri: str):
    """The redirect to the provider's sign-in page; state, nonce and PKCE go in the session."""
    client = _client()
    _metadata(client)
    try:
        return client.authorize_redirect(request, redirect_uri)
    except _PROVIDER_FAILURES as error:
        raise SignInError(SignInError.UNAVAILABLE, repr(error)) from error


def complete(request) -> tuple[VerifiedPerson, str]:
    """Finish the flow at the callback: the verified person and the raw ID token (for sign-out)."""
    client = _client()
    error = request.GET.get("error")
    state = request.GET.get("state")
    integration = client.framework
    state_data = integration.get_state_data(request.session, state) if state else None
    if state:
        # A state is good for one answer only, whatever the answer is.
        integration.clear_state_data(request.session, state)
    if error:
        raise SignInError(_PROVIDER_ERRORS.get(error, SignInError.REJECTED), f"provider: {error!r}")
    if not state_data or not state_data.get("nonce") or not request.GET.get("code"):
        raise SignInError(SignInError.EXPIRED, "unknown state or no code")

    metadata = _metadata(client)
    # RFC 9207: an answer naming another issuer is a mix-up.
    returned_issuer = request.GET.get("iss")
    if returned_issuer is not None and returned_issuer.rstrip("/") != settings.OIDC_ISSUER:
        raise SignInError(SignInError.REJECTED, f"callback names issuer {returned_issuer!r}")
    try:
        token = client.fetch_access_token(
            code=request.GET["code"],
            redirect_uri=state_data.get("redirect_uri"),
            code_verifier=state_data.get("code_verifier"),
        )
    except _PROVIDER_FAILURES as error:
        raise SignInError(_failure_kind(error), f"token: {error!r}") from error
    if not isinstance(token, dict) or not token.get("id_token") or not token.get("access_token"):
        raise SignInError(SignInError.REJECTED, "token answer without an ID token")
    try:
        id_claims = client.parse_id_token(
            token,
            nonce=state_data["nonce"],
            claims_options={
                "iss": {"essential": True, "values": [metadata["issuer"]]},
                "aud": {"essential": True, "values": [settings.OIDC_CLIENT_ID]},
                "sub": {"essential": True},
            },
            leeway=settings.OIDC_LEEWAY_SECONDS,
        )
    except _PROVIDER_FAILURES as error:
        raise SignInError(SignInError.REJECTED, f"ID token: {error!r}") from error
    claims = dict(id_claims)
    if metadata.get("userinfo_endpoint"):
        try:
            userinfo = dict(client.userinfo(token=token))
        except _PROVIDER_FAILURES as error:
            raise SignInError(_failure_kind(error), f"userinfo: {error!r}") from error
        if userinfo.get("sub") != claims["sub"]:
            raise SignInError(SignInError.REJECTED, "userinfo names another subject")
        claims = {**userinfo, **claims}
    return _person(metadata["issuer"], claims), token["id_token"]


# Errors the provider may send back to the callback instead of a code.
_PROVIDER_ERRORS = {
    "access_denied": SignInError.CANCELLED,
    "login_required": SignInError.CANCELLED,
    "consent_required": SignInError.CANCELLED,
    "interaction_required": SignInError.CANCELLED,
    "server_error": SignInError.UNAVAILABLE,
    "temporarily_unavailable": SignInError.UNAVAILABLE,
}


def _failure_kind(error: Exception) -> str:
    # The provider refusing the code (already used, issued to another client,
    # PKCE mismatch) is a rejection; anything else is the provider failing.
    if isinstance(error, OAuthError) and error.error in ("invalid_grant", "invalid_client"):
        return SignInError.REJECTED
    return SignInError.UNAVAILABLE


def _person(issuer: str, claims: dict) -> VerifiedPerson:
    national_id = str(claims.get(settings.OIDC_NATIONAL_ID_CLAIM) or "").strip()
    full_name = str(claims.get("name") or "").strip()
    try:
        validate_national_id_format(national_id)
    except ValidationError as error:
        raise SignInError(SignInError.INCOMPLETE, "no valid citizen ID claim") from error
    if not full_name:
        raise SignInError(SignInError.INCOMPLETE, "no name claim")
    born = None
    if claims.get("birthdate"):
        try:
            born = dt.date.fromisoformat(str(claims["birthdate"]))
        except ValueError:
            logger.warning("The identity provider sent an unreadable birthdate.")
    gender = str(claims.get("gender") or "").lower()
    return VerifiedPerson(
        issuer=issuer.rstrip("/"),
        subject=str(claims["sub"]),
        national_id=national_id,
        full_name=full_name[:200],
        date_of_birth=born,
        gender=gender if gender in Gender.values else "",
        email=str(claims.get("email") or "")[:254] if claims.get("email_verified") else "",
        phone=str(claims.get("phone_number") or "")[:20],
    )


def logout_url(*, id_token: str, post_logout_redirect_uri: str) -> str | None:
    """Where to send the browser so the provider ends its session too; None if it cannot."""
    if not is_configured():
        return None
    client = _client()
    try:
        metadata = _metadata(client)
        if not metadata.get("end_session_endpoint"):
            return None
        return client.create_logout_url(
            post_logout_redirect_uri=post_logout_redirect_uri, id_token_hint=id_token
        )["url"]
    except SignInError:
        return None
    except _PROVIDER_FAILURES:
        logger.warning("Could not build the identity provider's sign-out address.", exc_info=True)
        return None
