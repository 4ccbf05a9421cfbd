"""Sign in with an organisation account (OpenID Connect), against a tiny provider this test runs on
loopback: discovery, authorise (redirects back with a code), token (an RS256 id_token), userinfo
and JWKS. Nothing leaves the machine."""

import base64
import hashlib
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth import get_user_model
from django.urls import reverse

from tests.factories import LeaderFactory

pytestmark = pytest.mark.django_db

CLIENT_ID, CLIENT_SECRET = "compact-test", "s3cret"


class Provider:
    """The identity provider's state: who signs in next, and the codes it has issued."""

    def __init__(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.person = {}
        self.codes = {}
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.base = f"http://127.0.0.1:{self.server.server_port}"

    def jwk(self):
        numbers = self.key.public_key().public_numbers()

        def b64(n):
            raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
            return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

        return {
            "kty": "RSA",
            "kid": "test",
            "use": "sig",
            "alg": "RS256",
            "n": b64(numbers.n),
            "e": b64(numbers.e),
        }

    def _handler(self):
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _json(self, data, status=200):
                body = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                url = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                if url.path == "/.well-known/openid-configuration":
                    return self._json(
                        {
                            "issuer": provider.base,
                            "authorization_endpoint": provider.base + "/authorize",
                            "token_endpoint": provider.base + "/token",
                            "userinfo_endpoint": provider.base + "/userinfo",
                            "jwks_uri": provider.base + "/jwks",
                            "token_endpoint_auth_methods_supported": ["client_secret_post"],
                        }
                    )
                if url.path == "/authorize":
                    # The person is "signed in" at their organisation already: send them back.
                    assert query["client_id"] == CLIENT_ID
                    code = secrets.token_urlsafe(16)
                    provider.codes[code] = query
                    self.send_response(302)
                    back = query["redirect_uri"] + "?" + urlencode({"code": code, "state": query["state"]})
                    self.send_header("Location", back)
                    self.end_headers()
                    return None
                if url.path == "/userinfo":
                    if self.headers.get("Authorization") != "Bearer access-" + provider.person["sub"]:
                        return self._json({"error": "invalid_token"}, 401)
                    return self._json(provider.person)
                if url.path == "/jwks":
                    return self._json({"keys": [provider.jwk()]})
                return self._json({"error": "not_found"}, 404)

            def do_POST(self):
                form = {
                    k: v[0]
                    for k, v in parse_qs(
                        self.rfile.read(int(self.headers["Content-Length"])).decode()
                    ).items()
                }
                if urlsplit(self.path).path != "/token":
                    return self._json({"error": "not_found"}, 404)
                issued = provider.codes.pop(form.get("code"), None)
                if issued is None or form.get("client_secret") != CLIENT_SECRET:
                    return self._json({"error": "invalid_grant"}, 400)
                # PKCE: the verifier must hash to the challenge sent to /authorize.
                digest = hashlib.sha256(form.get("code_verifier", "").encode()).digest()
                if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != issued.get("code_challenge"):
                    return self._json({"error": "invalid_grant"}, 400)
                now = int(time.time())
                claims = {
                    **provider.person,
                    "iss": provider.base,
                    "aud": CLIENT_ID,
                    "iat": now,
                    "exp": now + 300,
                    "nonce": issued.get("nonce"),
                }
                id_token = jwt.encode(claims, provider.key, algorithm="RS256", headers={"kid": "test"})
                return self._json(
                    {
                        "access_token": "access-" + provider.person["sub"],
                        "token_type": "Bearer",
                        "expires_in": 300,
                        "id_token": id_token,
                    }
                )

        return Handler


@pytest.fixture
def provider(settings):
    provider = Provider()
    thread = threading.Thread(target=provider.server.serve_forever, daemon=True)
    thread.start()
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "OAUTH_PKCE_ENABLED": True,
            "APPS": [
                {
                    "provider_id": "organisation",
                    "name": "NHSmail",
                    "client_id": CLIENT_ID,
                    "secret": CLIENT_SECRET,
                    "settings": {"server_url": provider.base},
                }
            ],
        }
    }
    yield provider
    provider.server.shutdown()
    provider.server.server_close()


def _sign_in_through(client, provider):
    """Press the button, visit the provider, come back with the code: each redirect by hand."""
    import urllib.request

    page = client.get(reverse("account_login"))
    assert b"Sign in with NHSmail" in page.content
    start = client.post(reverse("openid_connect_login", kwargs={"provider_id": "organisation"}))
    assert start.status_code == 302 and start["Location"].startswith(provider.base + "/authorize?")

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        opener.open(start["Location"])
        raise AssertionError("the provider should redirect back")
    except urllib.error.HTTPError as redirect:
        assert redirect.code == 302
        back = redirect.headers["Location"]
    parts = urlsplit(back)
    return client.get(parts.path + "?" + parts.query)


def test_an_organisation_account_creates_a_signed_in_account_with_a_verified_email(client, provider):
    provider.person = {"sub": "nhs-1", "email": "ada@nhs.net", "email_verified": True, "name": "Ada Lovelace"}
    finished = _sign_in_through(client, provider)
    assert finished.status_code == 302, finished.content[:500]
    user = get_user_model().objects.get(email="ada@nhs.net")
    assert user.full_name == "Ada Lovelace"
    assert EmailAddress.objects.get(user=user).verified
    assert SocialAccount.objects.get(user=user).uid == "nhs-1"
    assert client.get(reverse("accounts:profile")).status_code == 200  # signed in


def test_an_existing_account_with_the_same_verified_email_is_linked_not_duplicated(client, provider):
    existing = LeaderFactory(email="grace@nhs.net")
    provider.person = {
        "sub": "nhs-2",
        "email": "grace@nhs.net",
        "email_verified": True,
        "name": "Grace Hopper",
    }
    finished = _sign_in_through(client, provider)
    assert finished.status_code == 302
    assert get_user_model().objects.filter(email__iexact="grace@nhs.net").count() == 1
    assert SocialAccount.objects.get(uid="nhs-2").user == existing
    assert client.get(reverse("accounts:profile")).wsgi_request.user == existing
    existing.refresh_from_db()
    assert existing.has_usable_password()  # a verified match keeps the password


def test_an_unverified_email_from_the_provider_never_takes_over_an_account(client, provider):
    existing = LeaderFactory(email="kate@nhs.net")
    provider.person = {"sub": "evil", "email": "kate@nhs.net", "email_verified": False, "name": "Not Kate"}
    _sign_in_through(client, provider)
    assert not SocialAccount.objects.filter(user=existing).exists()
    assert client.get(reverse("accounts:profile")).wsgi_request.user != existing


def test_the_sign_in_page_offers_no_organisation_button_when_none_is_configured(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {}
    page = client.get(reverse("account_login"))
    assert page.status_code == 200
    assert b"organisation account" not in page.content
