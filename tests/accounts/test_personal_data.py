"""A person can take away everything held about them, and erase their account without
changing what others rely on: texts, hashes, totals."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from compact.models import Version
from consultation import selectors as consultation_selectors
from consultation import services as consultation_services
from consultation.models import Comment, Proposal, Vote
from signatories import selectors as signatory_selectors
from signatories.models import Signature
from tests.consultation.factories import open_round
from tests.factories import LeaderFactory, StaffFactory, published_version
from tests.signatories.factories import SignatureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def active_leader():
    """A leader who has commented, proposed, voted and signed."""
    staff = StaffFactory()
    leader = LeaderFactory(full_name="Grace Hopper", job_title="Medical director")
    published = published_version(staff=staff)
    round = open_round(staff=staff)
    commitment = round.version.commitments.order_by("pk").first()
    consultation_services.post_comment(
        actor=leader, round=round, body="Listening must come first.", target=Comment.Target.WHOLE_COMPACT
    )
    consultation_services.propose(
        actor=leader,
        round=round,
        kind=Proposal.Kind.REWORDING,
        commitment=commitment,
        text="We will listen before we decide.",
        rationale="Plainer.",
    )
    consultation_services.cast_vote(
        actor=leader, round=round, choice=Vote.Choice.CURRENT, commitment=commitment
    )
    signature = SignatureFactory(
        version=published, signer=leader, full_name="Grace Hopper", role="Medical director"
    )
    return {"leader": leader, "round": round, "published": published, "signature": signature}


def test_the_account_page_offers_the_download_the_deletion_and_the_privacy_page(leader_client):
    page = leader_client.get(reverse("accounts:profile")).content.decode()
    assert "Download your data" in page and reverse("accounts:download_data") in page
    assert "Delete your account" in page and reverse("accounts:delete") in page


def test_download_your_data_holds_account_comments_proposals_votes_and_signatures(active_leader):
    client = Client()
    client.force_login(active_leader["leader"])
    response = client.get(reverse("accounts:download_data"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["account"]["full_name"] == "Grace Hopper"
    assert data["account"]["email"] == active_leader["leader"].email
    assert [c["body"] for c in data["comments"]] == ["Listening must come first."]
    assert [p["text"] for p in data["proposals"]] == ["We will listen before we decide."]
    assert [v["choice"] for v in data["votes"]] == ["current"]
    assert [s["name"] for s in data["signatures"]] == ["Grace Hopper"]


def test_download_holds_nobody_elses_data(active_leader):
    other = LeaderFactory()
    client = Client()
    client.force_login(other)
    data = json.loads(client.get(reverse("accounts:download_data")).content)
    assert data["comments"] == data["proposals"] == data["votes"] == data["signatures"] == []


def test_a_visitor_is_asked_to_sign_in_before_downloading(client):
    response = client.get(reverse("accounts:download_data"))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_the_delete_link_shows_a_confirmation_page_and_changes_nothing(leader_client, leader):
    response = leader_client.get(reverse("accounts:delete"))
    assert response.status_code == 200 and "Delete my account" in response.content.decode()
    leader.refresh_from_db()
    assert leader.is_active and leader.erased_at is None


def test_deleting_an_account_erases_the_person_and_keeps_hashes_and_totals(active_leader):
    leader, round, published = active_leader["leader"], active_leader["round"], active_leader["published"]
    hash_before = Version.objects.get(pk=published.pk).content_hash
    counts_before = signatory_selectors.public_counts(published)
    votes_before = Vote.objects.filter(round=round).count()
    other_device = Client()
    other_device.force_login(leader)
    client = Client()
    client.force_login(leader)

    response = client.post(reverse("accounts:delete"))
    assert response.status_code == 302 and response["Location"] == reverse("home")

    user = get_user_model().objects.get(pk=leader.pk)
    assert (user.full_name, user.job_title, user.organisation_name) == ("", "", "")
    assert user.email == f"erased-{user.pk}@invalid"
    assert not user.has_usable_password() and not user.is_active
    assert not user.emailaddress_set.exists()
    # Signed out here and on every other device.
    assert "_auth_user_id" not in client.session
    assert other_device.get(reverse("accounts:profile")).status_code == 302
    # Comments stay, by "A former participant".
    page = client.get(reverse("consultation:discussion", kwargs={"round_pk": round.pk})).content.decode()
    assert "Listening must come first." in page and "A former participant" in page
    assert "Grace Hopper" not in page
    # The signature keeps counting for its organisation, without the name.
    signature = Signature.objects.get(pk=active_leader["signature"].pk)
    assert signature.full_name == f"Signatory {signature.pk}" and signature.role == ""
    assert signature.organisation_id == active_leader["signature"].organisation_id
    assert signature.status == Signature.Status.CONFIRMED
    listing = client.get(
        reverse("signatories:list", kwargs={"slug": published.compact.slug, "number": published.number})
    ).content.decode()
    assert f"Signatory {signature.pk}" in listing and "Grace Hopper" not in listing
    # Nothing anyone relies on moved.
    assert signatory_selectors.public_counts(published) == counts_before
    assert Vote.objects.filter(round=round).count() == votes_before
    assert (
        Version.objects.get(pk=published.pk).content_hash == hash_before == published.compute_content_hash()
    )
    assert consultation_selectors.my_votes(round, user)  # still counted
    event = AuditEvent.objects.get(action="erase account")
    assert event.object_id == str(user.pk) and "Grace" not in event.actor_label


def test_an_erased_person_cannot_sign_in_with_the_old_password(active_leader):
    leader = active_leader["leader"]
    email = leader.email
    client = Client()
    client.force_login(leader)
    client.post(reverse("accounts:delete"))
    response = client.post(reverse("account_login"), {"login": email, "password": "a-long-test-password"})
    assert "_auth_user_id" not in client.session
    assert response.status_code == 200


def test_the_privacy_page_says_what_is_kept_and_is_linked_from_every_page(client):
    page = client.get(reverse("privacy")).content.decode()
    assert "What we keep" in page and "Why" in page and "Delete your account" in page
    assert reverse("privacy") in client.get(reverse("home")).content.decode()


def test_the_privacy_page_says_what_the_email_settings_keep_and_what_the_api_publishes(client):
    from html import unescape

    page = " ".join(unescape(client.get(reverse("privacy")).content.decode()).split())
    # Notifications: the choice per kind, follows, the digest's queue and its stamps.
    settings = page[page.index("Your e-mail settings") :]
    for kept in (
        "for each kind of e-mail",
        "straight away, in a daily digest or not at all",
        "the rounds, themes and commitments you follow",
        "the e-mails waiting for your next digest",
        "a record of each of these e-mails sent to you (its subject and when) and of the days a digest went",
        "one click",
    ):
        assert kept in settings, kept
    assert "telling you that moderators hid a comment of yours are not optional" in settings
    # The open data API: the public signatory fields only.
    assert "through the open data API" in page
    assert (
        "The API publishes only those public fields, the same as the list: never your e-mail address" in page
    )
    assert "nothing of a signature that is withdrawn, hidden or not yet confirmed" in page
    assert "pages, exports and the open data API only show totals" in page  # votes
    # What deleting the account removes, which test_erasing_forgets_email_settings_... holds it to.
    assert "and so are your e-mail settings, what you follow, the e-mails we sent you" in page


def test_erasing_forgets_email_settings_follows_notices_and_organisation_sign_in(active_leader):
    from allauth.socialaccount.models import SocialAccount

    from notifications import services as notifications
    from notifications.kinds import Kind, Mode
    from notifications.models import DigestSent, Follow, PendingNotification, Preference

    leader, round = active_leader["leader"], active_leader["round"]
    other = LeaderFactory()
    for person in (leader, other):
        notifications.set_preference(user=person, kind=Kind.ROUND, mode=Mode.DIGEST)
        notifications.follow(user=person, what="round", pk=round.pk)
        PendingNotification.objects.create(user=person, kind=Kind.ROUND, key="k", subject="S", body="B")
        DigestSent.objects.create(user=person, day="2026-01-05")
    SocialAccount.objects.create(
        user=leader, provider="organisation", uid="sub-123", extra_data={"email": leader.email}
    )
    client = Client()
    client.force_login(leader)
    client.post(reverse("accounts:delete"))

    for model in (Preference, Follow, PendingNotification, DigestSent, SocialAccount):
        assert not model.objects.filter(user=leader).exists(), model.__name__
    for model in (Preference, Follow, PendingNotification, DigestSent):
        assert model.objects.filter(user=other).exists(), model.__name__  # nobody else's


def test_deleting_an_account_needs_the_csrf_token(leader):
    client = Client(enforce_csrf_checks=True)
    client.force_login(leader)
    assert client.post(reverse("accounts:delete")).status_code == 403
    leader.refresh_from_db()
    assert leader.is_active and leader.erased_at is None


# --- everything linked to the person ---------------------------------------------------------------
def _links_to_people():
    """(model, field name) for every foreign key and many-to-many from any model to the user model."""
    from django.apps import apps
    from django.conf import settings

    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if field.is_relation and not field.auto_created and field.related_model is user_model:
                yield model, field.name


def _rows_in(data, section, label):
    rows = data["account"]["email_addresses"] if section == "account" else data[section]
    return {row["id"] for row in rows if row.get("record", label) == label}


def test_every_model_linking_to_a_person_has_a_place_in_the_download():
    from accounts.selectors import COVERAGE

    missing = [
        f"{model._meta.label_lower}.{name}"
        for model, name in _links_to_people()
        if f"{model._meta.label_lower}.{name}" not in COVERAGE
    ]
    assert not missing, f"not in the personal-data download: {missing}"


def test_the_download_holds_every_record_linked_to_the_person(active_leader):
    """A staff member who has also taken part: every record linked to them is in their download."""
    from allauth.mfa.models import Authenticator
    from django.contrib.admin.models import ADDITION, LogEntry

    from accounts.selectors import COVERAGE
    from consultation.models import Report
    from reflections import services as reflection_services
    from signatories import services as signatory_services

    person = StaffFactory(full_name="Ada Lovelace")
    published = published_version(staff=person)
    round = open_round(staff=person, participation="invited", invited=[person, active_leader["leader"]])
    comment = consultation_services.post_comment(
        actor=active_leader["leader"], round=round, body="Say more.", target=Comment.Target.WHOLE_COMPACT
    )
    consultation_services.report_comment(actor=person, comment=comment, reason="Check this")
    consultation_services.hide_comment(actor=person, comment=comment, reason="Off topic")
    signature = SignatureFactory(version=published, signer=person)
    reflection_services.reflect(actor=person, compact=published.compact, kind="celebrate", text="Going well.")
    reflection_services.record_session(
        actor=person, compact=published.compact, held_on="2026-01-05", title="Winter", outcomes="Agreed."
    )
    signatory_services.verify_organisation(actor=person, organisation=signature.organisation)
    Authenticator.objects.create(user=person, type=Authenticator.Type.TOTP, data={"secret": "hidden"})
    LogEntry.objects.create(user=person, object_repr="Someone", action_flag=ADDITION)
    assert Report.objects.filter(reporter=person).exists()

    client = Client()
    client.force_login(person)
    data = json.loads(client.get(reverse("accounts:download_data")).content)
    assert "hidden" not in json.dumps(data["two_factor"])  # the device, never its secret
    linked_somehow = 0
    for model, name in _links_to_people():
        label = model._meta.label_lower
        held = set(model.objects.filter(**{name: person}).values_list("pk", flat=True))
        linked_somehow += bool(held)
        section = COVERAGE[f"{label}.{name}"]
        assert held <= _rows_in(data, section, label), f"{label}.{name} rows missing from '{section}'"
    # The brief's gaps: reflections and reports filed, and most kinds of link, are exercised.
    assert [r["text"] for r in data["reflections"]] == ["Going well."]
    assert [r["reason"] for r in data["reports_filed"]] == ["Check this"]
    assert linked_somehow >= 15
