import re

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.urls import reverse

from accounts.models import User
from tests.factories import UserFactory
from tests.mailbox import delivered

pytestmark = pytest.mark.django_db

SIGNUP = {
    "email": "new.leader@example.org",
    "password1": "a-strong-passphrase-42",
    "password2": "a-strong-passphrase-42",
    "full_name": "Nia Evans",
    "job_title": "Chief operating officer",
    "organisation_name": "Westvale NHS Trust",
}


def test_sign_up_records_name_role_and_organisation_and_sends_a_verification_email(client):
    response = client.post(reverse("account_signup"), SIGNUP)
    assert response.status_code == 302
    user = User.objects.get(email="new.leader@example.org")
    assert (user.full_name, user.job_title, user.organisation_name) == (
        "Nia Evans",
        "Chief operating officer",
        "Westvale NHS Trust",
    )
    assert len(delivered()) == 1
    assert "new.leader@example.org" in delivered()[0].to


def test_sign_in_is_refused_until_the_email_is_verified_then_allowed(client):
    client.post(reverse("account_signup"), SIGNUP)
    client.logout()
    response = client.post(
        reverse("account_login"), {"login": SIGNUP["email"], "password": SIGNUP["password1"]}
    )
    assert response["Location"] == reverse("account_email_verification_sent")
    link = re.search(
        re.escape(settings.SITE_URL) + r"(/accounts/confirm-email/\S+/)", delivered()[-1].body
    ).group(1)
    # The link only shows a page; confirming takes a POST, so mail scanners confirm nothing.
    assert client.get(link).status_code == 200
    assert not EmailAddress.objects.get(email=SIGNUP["email"]).verified
    client.post(link)
    assert EmailAddress.objects.get(email=SIGNUP["email"]).verified
    response = client.post(
        reverse("account_login"), {"login": SIGNUP["email"], "password": SIGNUP["password1"]}
    )
    assert response.status_code == 302 and response["Location"] == "/"


def test_sign_up_without_a_name_keeps_what_was_typed_and_says_what_is_missing(client):
    data = {**SIGNUP, "full_name": ""}
    response = client.post(reverse("account_signup"), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert 'value="new.leader@example.org"' in html and 'value="Westvale NHS Trust"' in html
    assert not User.objects.filter(email=SIGNUP["email"]).exists()


def test_account_pages_use_the_nhs_design_system(client):
    for name in ("account_login", "account_signup", "account_reset_password"):
        html = client.get(reverse(name)).content.decode()
        assert "nhsuk-header" in html and "nhsuk-input" in html and "nhsuk-button" in html, name


def test_repeated_failed_sign_ins_are_rate_limited(client):
    user = UserFactory()
    for _ in range(6):
        response = client.post(reverse("account_login"), {"login": user.email, "password": "wrong"})
    # Even the right password is refused for now: the account is protected, not the guesser.
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": "a-long-test-password"}
    )
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_profile_updates_name_role_and_organisation(client):
    user = UserFactory()
    client.force_login(user)
    client.post(
        reverse("accounts:profile"),
        {"full_name": "New Name", "job_title": "Chair", "organisation_name": "Hillside ICB"},
    )
    user.refresh_from_db()
    assert user.role_line == "Chair, Hillside ICB"


def test_emails_are_unique_whatever_their_case():
    from django.db import IntegrityError, transaction

    UserFactory(email="Person@Example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email="person@example.org")


def test_staff_can_turn_on_two_factor_authentication(client, staff):
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import hotp_value

    client.post(reverse("account_login"), {"login": staff.email, "password": "a-long-test-password"})
    # allauth asks for the password again before a security change.
    assert client.get(reverse("mfa_activate_totp"))["Location"].startswith(reverse("account_reauthenticate"))
    client.post(reverse("account_reauthenticate"), {"password": "a-long-test-password"})
    response = client.get(reverse("mfa_activate_totp"))
    html = response.content.decode()
    assert response.status_code == 200 and "nhsuk-header" in html
    secret = client.session["mfa.totp.secret"]
    import time

    code = hotp_value(secret, int(time.time()) // 30)
    client.post(reverse("mfa_activate_totp"), {"code": f"{code:06d}"})
    assert Authenticator.objects.filter(user=staff, type=Authenticator.Type.TOTP).exists()
