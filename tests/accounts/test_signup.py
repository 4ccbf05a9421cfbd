"""Sign-up tells nobody whether an address is registered, its e-mails carry no stranger's words and
name the service, and a person arriving from a page goes back there once verified."""

import re

import pytest
from django.conf import settings
from django.contrib.auth.hashers import MD5PasswordHasher
from django.urls import reverse

from tests.factories import LeaderFactory, published_version
from tests.mailbox import delivered

pytestmark = pytest.mark.django_db


class CountingHasher(MD5PasswordHasher):
    """Counts the password hashes made: the slow step that made the two answers differ."""

    algorithm = "counting_md5"
    made = 0

    def encode(self, password, salt):
        CountingHasher.made += 1
        return super().encode(password, salt)


def _signup(email, full_name="Nia Evans", **extra):
    return {
        "email": email,
        "password1": "a-strong-passphrase-42",
        "password2": "a-strong-passphrase-42",
        "full_name": full_name,
        "job_title": "Chief operating officer",
        "organisation_name": "Westvale NHS Trust",
        **extra,
    }


def _work_done(client, data):
    CountingHasher.made = 0
    sent_before = len(delivered())
    response = client.post(reverse("account_signup"), data)
    return response.status_code, response["Location"], CountingHasher.made, len(delivered()) - sent_before


def test_signing_up_with_a_registered_address_does_the_same_work_as_with_a_new_one(client, settings):
    settings.PASSWORD_HASHERS = ["tests.accounts.test_signup.CountingHasher"]
    existing = LeaderFactory(email="taken@example.org")
    new = _work_done(client, _signup("brand.new@example.org"))
    client.logout()
    taken = _work_done(client, _signup(existing.email))
    # The same answer, one password hash and one e-mail each: nothing tells them apart.
    assert new == taken == (302, reverse("account_email_verification_sent"), 1, 1)


def test_the_verification_email_names_the_service_rather_than_the_host(client, settings):
    settings.SITE_URL = "https://compact.example.org"
    client.post(reverse("account_signup"), _signup("nia@example.org"), HTTP_HOST="127.0.0.1")
    body = delivered()[-1].body
    assert delivered()[-1].subject == "[Leadership Compact] Confirm your e-mail address"
    assert body.startswith("Hello from Leadership Compact.")
    assert "Hello from 127.0.0.1" not in body and "Hello from testserver" not in body
    assert "https://compact.example.org" in body


def test_a_name_typed_at_sign_up_never_reaches_the_address_it_was_sent_to(client):
    lure = "Call 0800 000 000 to claim your refund"
    client.post(reverse("account_signup"), _signup("victim@example.org", full_name=lure))
    LeaderFactory(email="owner@example.org")
    client.logout()
    client.post(reverse("account_signup"), _signup("owner@example.org", full_name=lure))
    assert len(delivered()) == 2
    for message in delivered():
        assert lure not in message.body and lure not in message.subject


def test_next_is_kept_through_sign_up_and_verifying_the_address_signs_the_person_in(client):
    version = published_version()
    destination = reverse("signatories:sign", kwargs={"slug": version.compact.slug})
    page = client.get(reverse("account_signup") + f"?next={destination}")
    assert f'name="next" value="{destination}"' in page.content.decode()
    client.post(reverse("account_signup"), _signup("nia@example.org", next=destination))
    link = re.search(
        re.escape(settings.SITE_URL) + r"(/accounts/confirm-email/\S+/)", delivered()[-1].body
    ).group(1)
    response = client.post(link)
    assert "_auth_user_id" in client.session
    assert response.status_code == 302 and response["Location"] == destination


def test_next_is_kept_from_the_sign_in_page_to_the_sign_up_page(client):
    destination = "/compacts/some-compact/sign/"
    page = client.get(reverse("account_login") + f"?next={destination}").content.decode()
    assert f"{reverse('account_signup')}?next={destination.replace('/', '%2F')}" in page


def test_sign_in_and_sign_up_pages_use_sentence_case_and_no_placeholders(client):
    for name in ("account_login", "account_signup"):
        html = client.get(reverse(name)).content.decode()
        assert "placeholder=" not in html, name
        for title_case in ("Sign In", "Sign Up", "Forgot Password", "Remember Me"):
            assert title_case not in html, f"{name}: {title_case}"


def test_the_header_links_to_sign_in_and_sign_up_come_back_to_the_page_they_were_on(client):
    version = published_version()
    page = client.get(version.compact.get_absolute_url()).content.decode()
    back = f"next=/compacts/{version.compact.slug}/"
    assert f'{reverse("account_login")}?{back}"' in page and f'{reverse("account_signup")}?{back}"' in page
    # On the sign-in page itself, no next pointing back at the sign-in page.
    assert "?next=/accounts" not in client.get(reverse("account_login")).content.decode()
