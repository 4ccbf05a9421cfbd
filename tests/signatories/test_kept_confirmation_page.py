"""The page after confirming a signature is kept per page state with the signer's own values filled
in (signatories/confirmation_page.py). Every signer must get exactly the page a fresh render gives
them: never another signer's name, fingerprint, receipt, organisation or token."""

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import add_message, constants
from django.contrib.messages.storage.fallback import FallbackStorage
from django.shortcuts import render
from django.test import Client, RequestFactory

from signatories import confirmation_page, services
from tests.factories import LeaderFactory, StaffFactory, published_version

from .factories import OrganisationFactory

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
MARKS = list(confirmation_page._MARKS)


@pytest.fixture(autouse=True)
def nothing_kept(monkeypatch):
    monkeypatch.setattr(confirmation_page, "_pages", confirmation_page.kept.KeptPages(limit=2_000_000))


@pytest.fixture
def confirmed(mailoutbox, django_capture_on_commit_callbacks, staff):
    """Sign and confirm: the signature as the confirmation page is given it."""
    version = published_version(staff=staff)

    def sign(signer, name, organisation=None):
        with django_capture_on_commit_callbacks(execute=True):
            services.sign(
                actor=signer,
                version=version,
                full_name=name,
                role="Chair",
                consent=True,
                organisation=organisation,
            )
        token = mailoutbox[-1].body.split("/signatures/confirm/", 1)[1].split("/", 1)[0]
        with django_capture_on_commit_callbacks(execute=True):
            return services.confirm(token=token), token

    return sign


def a_request(user, token, *, message=None):
    request = RequestFactory().post(f"/signatures/confirm/{token}/?from=e-mail&x=<b>")
    request.user = user
    request.session = {}
    request._messages = FallbackStorage(request)
    request.META["CSRF_COOKIE"] = "S" * 32
    if message:
        add_message(request, constants.INFO, message)
    return request


def fresh(request, signature):
    return render(request, confirmation_page.TEMPLATE, {"signature": signature}).content.decode()


def same_page(kept, fresh_page):
    assert not any(mark in kept for mark in MARKS)
    assert TOKEN.sub("", kept) == TOKEN.sub("", fresh_page)


def test_every_signer_gets_the_page_a_fresh_render_gives_them(confirmed, staff):
    domain = OrganisationFactory(name="City & Hills ICB", email_domains=["cityhills.nhs.uk"])
    services.verify_organisation(actor=staff, organisation=domain)
    unverified = OrganisationFactory(name="O'Brien <Partnership>", listed=False)
    people = [
        # No organisation, confirmed at once; then one more in the same state with another name.
        (LeaderFactory(), "Ada Lovelace", None),
        (LeaderFactory(), "Zoë O'Connor-Smith & “Sons” <script>", None),
        # An organisation whose e-mail domain vouches: confirmed, with its badge link.
        (LeaderFactory(email="sam@cityhills.nhs.uk"), "Sam Hills", domain),
        (LeaderFactory(email="kim@cityhills.nhs.uk"), "Kim Hills", domain),
        # An organisation nobody has verified: the signature waits for it, the receipt linked.
        (LeaderFactory(email="pat@elsewhere.example"), "Pat Waits", unverified),
        (LeaderFactory(email="lee@elsewhere.example"), "Lee Waits", unverified),
    ]
    signatures = [(signer, *confirmed(signer, name, organisation)) for signer, name, organisation in people]
    staff_member = StaffFactory(full_name="Stella <Staff>")
    for signer, signature, token in signatures:
        readers = [AnonymousUser(), signer, staff_member]
        for reader in readers:
            for _ in range(2):  # the second time, from the page kept for this state
                request = a_request(reader, token)
                kept = confirmation_page.response(request, signature).content.decode()
                same_page(kept, fresh(a_request(reader, token), signature))
                assert conditional(signature.full_name) in kept
                assert signature.content_hash in kept
    assert confirmation_page._pages.pages  # pages were kept, and served


def conditional(text):
    from django.utils.html import conditional_escape

    return str(conditional_escape(text))


def test_a_signed_in_signers_sign_out_form_carries_their_own_token(confirmed):
    signer = LeaderFactory(full_name="Dee Signed-In")
    signature, token = confirmed(signer, "Dee")
    confirmation_page.response(a_request(signer, token), signature)  # kept
    request = a_request(signer, token)
    page = confirmation_page.response(request, signature).content.decode()
    from django.middleware.csrf import _unmask_cipher_token

    value = TOKEN.search(page).group(0).split('value="')[1].rstrip('"')
    assert _unmask_cipher_token(value) == request.META["CSRF_COOKIE"]
    assert "Dee Signed-In" in page


def test_a_waiting_message_is_shown_and_the_page_is_not_kept(confirmed):
    signature, token = confirmed(LeaderFactory(), "Mo")
    page = confirmation_page.response(a_request(AnonymousUser(), token, message="Welcome back"), signature)
    assert "Welcome back" in page.content.decode()
    assert not confirmation_page._pages.pages


def test_the_confirmation_post_serves_each_signer_their_own_page(
    confirmed, mailoutbox, django_capture_on_commit_callbacks
):
    version = published_version()
    pages = []
    for name in ("First Signer", "Second Signer"):
        with django_capture_on_commit_callbacks(execute=True):
            services.sign(actor=LeaderFactory(), version=version, full_name=name, role="Chair", consent=True)
        token = mailoutbox[-1].body.split("/signatures/confirm/", 1)[1].split("/", 1)[0]
        with django_capture_on_commit_callbacks(execute=True):
            pages.append(Client().post(f"/signatures/confirm/{token}/").content.decode())
    assert "Thank you, First Signer" in pages[0] and "Second Signer" not in pages[0]
    assert "Thank you, Second Signer" in pages[1] and "First Signer" not in pages[1]
    assert len(confirmation_page._pages.pages) == 1  # the second was served from the first's page
