"""Signing in with an organisation account in a real browser, through a real OpenID provider
(panva/oidc-provider, tests/browser/oidc/) that this test starts on loopback.

The button posts to this site, which answers with a redirect to the provider: Chromium checks that
redirect against the page's Content-Security-Policy form-action, so this is the test that notices
a policy blocking sign-in. The app's settings are evaluated afresh with OIDC_SERVER_URL pointing at
the provider, and the live server uses the policy and providers they produce.
"""

import json
import os
import re
import runpy
import shutil
import subprocess
from pathlib import Path
from unittest import mock

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model

from tests.conftest import IN_CI
from tests.factories import LeaderFactory

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
PROVIDER_DIR = Path(__file__).resolve().parent / "oidc"
CLIENT_ID, CLIENT_SECRET = "leadership-compact", "browser-test-secret"
# Who the provider will vouch for, by the login typed into its sign-in form.
ACCOUNTS = {
    "ada": {"email": "ada.new@nhs.net", "email_verified": True, "name": "Ada Newcomer"},
    "grace": {"email": "grace.existing@nhs.net", "email_verified": True, "name": "Grace Existing"},
    "mallory": {"email": "kate.victim@nhs.net", "email_verified": False, "name": "Not Kate"},
}


def _needs(message):
    if IN_CI:
        pytest.fail(f"CI must run the organisation sign-in test but it {message}", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="module")
def identity_provider(live_server):
    node, npm = shutil.which("node"), shutil.which("npm")
    if not (node and npm):
        _needs("needs Node.js 20 or later and npm")
    if not (PROVIDER_DIR / "node_modules" / "oidc-provider").exists():
        installed = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"],
            cwd=PROVIDER_DIR,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if installed.returncode != 0:
            _needs(f"could not install oidc-provider: {installed.stderr[-500:]}")
    client = {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "redirect_uris": [f"{live_server.url}/accounts/oidc/organisation/login/callback/"],
    }
    process = subprocess.Popen(
        [node, "provider.mjs"],
        cwd=PROVIDER_DIR,
        env={**os.environ, "OIDC_CLIENT": json.dumps(client), "OIDC_ACCOUNTS": json.dumps(ACCOUNTS)},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    issuer = process.stdout.readline().strip()
    assert issuer.startswith("http://127.0.0.1:"), "the provider did not start"
    yield issuer
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def organisation_sign_in(identity_provider, browser_settings):
    """The app's own settings module, evaluated with the provider configured as an operator would."""
    env = {
        "OIDC_SERVER_URL": identity_provider,
        "OIDC_PROVIDER_ID": "organisation",
        "OIDC_NAME": "NHSmail",
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_CLIENT_SECRET": CLIENT_SECRET,
    }
    with mock.patch.dict(os.environ, env):
        configured = runpy.run_path(str(ROOT / "config" / "settings.py"))
    browser_settings.SOCIALACCOUNT_PROVIDERS = configured["SOCIALACCOUNT_PROVIDERS"]
    browser_settings.CONTENT_SECURITY_POLICY = configured["CONTENT_SECURITY_POLICY"]
    assert identity_provider in configured["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["form-action"]
    return identity_provider


@pytest.fixture
def browser(chromium, live_server):
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    blocked = []
    page.on("console", lambda message: blocked.append(message.text) if message.type == "error" else None)
    page.blocked = blocked
    yield page
    context.close()


def _sign_in_at_the_provider(page, base_url, issuer, login):
    page.goto(base_url + "/accounts/login/")
    page.get_by_role("button", name="Sign in with NHSmail").click()
    assert not [text for text in page.blocked if "form-action" in text], page.blocked
    # The provider's own development sign-in form: any password does.
    page.wait_for_url(issuer + "/interaction/**")
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("anything")
    page.get_by_role("button", name="Sign-in").click()
    page.wait_for_url(re.compile(re.escape(base_url) + r"/(?!accounts/oidc/).*"))
    page.wait_for_load_state()


def test_a_new_person_signs_in_with_their_organisation_account_and_gets_a_verified_account(
    browser, live_server, organisation_sign_in
):
    _sign_in_at_the_provider(browser, live_server.url, organisation_sign_in, "ada")
    assert browser.get_by_role("button", name="Sign out").count() == 1, browser.content()[:2000]
    user = get_user_model().objects.get(email="ada.new@nhs.net")
    assert user.full_name == "Ada Newcomer"
    assert EmailAddress.objects.get(user=user).verified
    assert SocialAccount.objects.get(user=user).uid == "ada"


def test_an_existing_account_with_the_verified_address_is_linked_and_signed_in(
    browser, live_server, organisation_sign_in
):
    existing = LeaderFactory(email="grace.existing@nhs.net")
    _sign_in_at_the_provider(browser, live_server.url, organisation_sign_in, "grace")
    assert browser.get_by_role("button", name="Sign out").count() == 1, browser.content()[:2000]
    assert get_user_model().objects.filter(email__iexact="grace.existing@nhs.net").count() == 1
    assert SocialAccount.objects.get(uid="grace").user == existing


def test_an_address_the_provider_has_not_verified_never_signs_in_to_the_account_that_owns_it(
    browser, live_server, organisation_sign_in
):
    existing = LeaderFactory(email="kate.victim@nhs.net")
    _sign_in_at_the_provider(browser, live_server.url, organisation_sign_in, "mallory")
    assert browser.get_by_role("button", name="Sign out").count() == 0, browser.content()[:2000]
    assert not SocialAccount.objects.filter(user=existing).exists()
    assert get_user_model().objects.filter(email__iexact="kate.victim@nhs.net").count() == 1
