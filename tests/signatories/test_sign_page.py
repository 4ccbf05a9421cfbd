"""The signing page and the e-mailed link, through the views: what people see when things go wrong."""

import re
from datetime import timedelta
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from compact.errors import DomainError
from signatories import services
from signatories.models import Organisation, Signature
from tests.factories import LeaderFactory, published_version

from .factories import OrganisationFactory, SignatureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(staff):
    return published_version(staff=staff)


def sign_url(version):
    return reverse("signatories:sign", kwargs={"slug": version.compact.slug})


def sign_form(**overrides):
    data = {"full_name": "Ada Lovelace", "role": "Chief executive", "on_behalf": "personal", "consent": "on"}
    data.update(overrides)
    return data


def link_path(mail):
    return "/" + re.search(r"https?://[^/\s]+/(signatures/confirm/\S+/)", mail.body).group(1)


@pytest.fixture
def pending(leader, version, mailoutbox, django_capture_on_commit_callbacks):
    """A pending signature and the path of the link in its e-mail."""
    with django_capture_on_commit_callbacks(execute=True):
        signature = services.sign(actor=leader, version=version, full_name="Ada", role="Chair", consent=True)
    return signature, link_path(mailoutbox[-1])


def test_visitors_are_sent_to_sign_in_before_signing(client, version):
    response = client.get(sign_url(version))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_form_is_prefilled_from_the_profile(client, version):
    leader = LeaderFactory(full_name="Mary Seacole", job_title="Director of nursing")
    client.force_login(leader)
    page = client.get(sign_url(version)).content.decode()
    assert 'value="Mary Seacole"' in page and 'value="Director of nursing"' in page


def test_an_unverified_person_is_told_to_confirm_their_email_and_nothing_is_saved(
    client, unverified_user, version
):
    client.force_login(unverified_user)
    assert "Confirm your e-mail address first" in client.get(sign_url(version)).content.decode()
    response = client.post(sign_url(version), sign_form())
    assert response.status_code == 400
    assert "Confirm your e-mail address before you sign." in response.content.decode()
    assert 'value="Ada Lovelace"' in response.content.decode()
    assert not Signature.objects.exists()


def test_signing_twice_on_the_page_says_when_without_a_second_signature(client, leader, version):
    SignatureFactory(version=version, signer=leader, confirmed_at=timezone.now() - timedelta(days=3))
    client.force_login(leader)
    response = client.post(sign_url(version), sign_form())
    when = timezone.localtime(timezone.now() - timedelta(days=3))
    page = response.content.decode()
    assert f"You signed on {when:%-d %B %Y} — <a" in page and "view your receipt" in page
    assert "Sign the compact</button>" not in page
    assert Signature.objects.count() == 1


def test_an_organisation_chosen_from_the_list_is_used_rather_than_typed_again(client, leader, version):
    harbour = OrganisationFactory(name="Harbour NHS Trust")
    SignatureFactory(version=version, organisation=harbour)  # it has signed this version
    client.force_login(leader)
    assert "Harbour NHS Trust" in client.get(sign_url(version)).content.decode()
    client.post(sign_url(version), sign_form(on_behalf="organisation", organisation=harbour.pk))
    assert Signature.objects.get(signer=leader).organisation == harbour
    assert Organisation.objects.count() == 1


def test_a_typed_name_in_another_case_joins_the_existing_organisation(client, leader, version):
    harbour = OrganisationFactory(name="Harbour NHS Trust")
    client.force_login(leader)
    client.post(
        sign_url(version), sign_form(on_behalf="organisation", organisation_name="  harbour nhs TRUST ")
    )
    assert Signature.objects.get().organisation == harbour


def test_signing_personally_ignores_organisation_fields(client, leader, version):
    client.force_login(leader)
    client.post(sign_url(version), sign_form(organisation_name="Somewhere", organisation_kind="trust"))
    assert Signature.objects.get().organisation is None and not Organisation.objects.exists()


def test_a_new_organisation_needs_a_name_and_kind_named_at_the_fields(client, leader, version):
    client.force_login(leader)
    response = client.post(sign_url(version), sign_form(on_behalf="organisation"))
    page = response.content.decode()
    assert response.status_code == 400
    assert "enter the name of the organisation you sign for" in page
    assert "Choose what kind of organisation it is." in page
    assert not Signature.objects.exists()


@pytest.mark.parametrize(
    "typed, kept",
    [("RX1", "RX1"), ("qwe", "QWE"), ("00l", "00L"), (" rx1ab ", "RX1AB"), ("a81001", "A81001")],
)
def test_ods_codes_of_three_to_six_characters_are_kept_in_upper_case(typed, kept):
    assert services.normalise_ods_code(code=typed) == kept


@pytest.mark.parametrize("typed", ["RX", "RX1ABCD", "R-1", "R X1", "ÄB1"])
def test_other_ods_codes_are_refused(typed):
    with pytest.raises(DomainError, match="3 to 6 letters and numbers"):
        services.normalise_ods_code(code=typed)


def test_names_and_roles_are_trimmed_and_limited(client, leader, version):
    client.force_login(leader)
    response = client.post(sign_url(version), sign_form(full_name="A" * 151))
    assert response.status_code == 400
    assert "Your full name must be 150 characters or fewer." in response.content.decode()
    response = client.post(sign_url(version), sign_form(role="   "))
    assert "Enter your role." in response.content.decode()
    with pytest.raises(DomainError, match="Enter your role"):
        services.sign(actor=leader, version=version, full_name="Ada", role="   ", consent=True)
    signature = services.sign(
        actor=leader, version=version, full_name="  Ada \n Lovelace ", role="Chair", consent=True
    )
    assert signature.full_name == "Ada Lovelace"


def test_opening_the_link_changes_nothing_however_often(client, pending):
    signature, path = pending
    before = Signature.objects.get(pk=signature.pk)
    for _ in range(3):
        assert "Confirm my signature" in client.get(path).content.decode()
    after = Signature.objects.get(pk=signature.pk)
    assert after.status == Signature.Status.PENDING and after.confirmed_at is None
    assert (after.token_hash, after.token_expires_at) == (before.token_hash, before.token_expires_at)


def test_an_unknown_link_gives_a_clear_page_naming_no_one(client, pending):
    response = client.get("/signatures/confirm/not-a-real-token/")
    page = response.content.decode()
    assert response.status_code == 410 and "not valid" in page
    assert "Ada" not in page and reverse("signatories:signature", kwargs={"pk": pending[0].pk}) not in page


def test_an_expired_link_offers_a_new_email_and_confirms_nothing(
    client, leader, pending, mailoutbox, django_capture_on_commit_callbacks
):
    signature, path = pending
    with mock.patch("django.utils.timezone.now", return_value=timezone.now() + timedelta(hours=73)):
        response = client.post(path)
    assert response.status_code == 410 and "expired" in response.content.decode()
    signature_url = reverse("signatories:signature", kwargs={"pk": signature.pk})
    assert signature_url in response.content.decode()
    assert Signature.objects.get().status == Signature.Status.PENDING

    client.force_login(leader)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("signatories:resend", kwargs={"pk": signature.pk}))
    new_path = link_path(mailoutbox[-1])
    assert new_path != path
    assert client.get(path).status_code == 410  # the old link stopped working
    client.post(new_path)
    assert Signature.objects.get().status == Signature.Status.CONFIRMED


def test_the_link_expires_after_the_configured_hours(settings, pending):
    signature = Signature.objects.get(pk=pending[0].pk)
    hours = (signature.token_expires_at - signature.confirmation_sent_at).total_seconds() / 3600
    assert hours == settings.SIGNATURE_CONFIRMATION_HOURS == 72


def test_resending_says_why_it_is_refused(client, leader, pending):
    client.force_login(leader)
    resend = reverse("signatories:resend", kwargs={"pk": pending[0].pk})
    first = client.post(resend, follow=True).content.decode()
    assert "We have sent the confirmation e-mail again." in first
    second = client.post(resend, follow=True).content.decode()
    assert "Wait five minutes before asking again." in second


def test_resending_stops_after_five_a_day(leader, pending, mailoutbox, django_capture_on_commit_callbacks):
    from django.core.cache import cache

    signature = pending[0]
    for _ in range(5):
        with django_capture_on_commit_callbacks(execute=True):
            services.resend_confirmation(actor=leader, signature=signature)
        cache.delete(f"resend:recent:{signature.pk}")  # as if five minutes had passed
    with pytest.raises(DomainError, match="five times today"):
        services.resend_confirmation(actor=leader, signature=signature)
    assert len(mailoutbox) == 1 + 5


def test_nobody_else_can_ask_for_the_email_again(client, pending):
    client.force_login(LeaderFactory())
    assert client.post(reverse("signatories:resend", kwargs={"pk": pending[0].pk})).status_code == 404


def test_the_receipt_shows_status_hash_and_a_withdraw_button(client, leader, version):
    signature = SignatureFactory(version=version, signer=leader)
    client.force_login(leader)
    page = client.get(reverse("signatories:signature", kwargs={"pk": signature.pk})).content.decode()
    assert "Your signature" in page and "Confirmed" in page
    assert version.content_hash in page and "Withdraw my signature" in page


def test_withdrawing_a_pending_signature_kills_its_link(client, leader, pending):
    signature, path = pending
    services.withdraw(actor=leader, signature=signature)
    response = client.post(path)
    assert response.status_code == 410
    assert Signature.objects.get().status == Signature.Status.WITHDRAWN


def test_user_text_is_escaped_on_every_page(client, leader, version):
    signature = SignatureFactory(
        version=version,
        signer=leader,
        full_name="<script>alert(1)</script>",
        organisation=OrganisationFactory(name="<i>Trust</i>"),
    )
    client.force_login(leader)
    pages = [
        client.get(reverse("signatories:signature", kwargs={"pk": signature.pk})),
        client.get(reverse("signatories:list", kwargs={"slug": version.compact.slug, "number": 1})),
        client.get(version.compact.get_absolute_url()),
    ]
    for response in pages:
        body = response.content.decode()
        assert "<script>alert(1)</script>" not in body and "<i>Trust</i>" not in body
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
