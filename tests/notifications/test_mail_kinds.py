"""Every kind of e-mail, made by the real flow that sends it: a subject that names the service,
a plain-text part and an HTML part (the NHS.UK e-mail style: inline-styled, one column) that say
the same thing and carry the same links, and the right footer for mail a person can switch off."""

import re
from datetime import date
from html import unescape

import pytest
from django.conf import settings
from django.urls import reverse

from compact import services as compact_services
from consultation import services as consultation
from consultation.models import Proposal, Round
from consultation.services import notices
from notifications import services
from notifications.kinds import Kind, Mode
from signatories import services as signing_services
from tests.compact.test_review_cycle import publish
from tests.consultation.factories import open_round
from tests.factories import LeaderFactory
from tests.mailbox import to
from tests.signatories.factories import SignatureFactory

pytestmark = pytest.mark.django_db

URL = re.compile(r"https?://\S+")


def _html(message):
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return html


def _words(html):
    """What a reader of the HTML part sees: the text without tags, entities decoded."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def assert_well_made(message, *phrases):
    text, html = message.body, _html(message)
    assert message.subject.startswith("[Leadership Compact] ")
    assert html.startswith("<!DOCTYPE html>") and 'style="' in html and "<link" not in html
    seen = _words(html)
    for phrase in phrases:
        assert phrase in " ".join(text.split()), f"{phrase!r} missing from the plain-text part"
        assert phrase in seen, f"{phrase!r} missing from the HTML part"
    for url in URL.findall(text):
        assert url in unescape(html), f"the HTML part lacks the link {url}"


def assert_footer_for(message, about):
    # "Stop e-mails about …" reads as a sentence: what the kind's e-mails are about, not its
    # settings label ("Someone replies to my comment…"), which reads wrongly there.
    assert f"Stop e-mails about {about}:" in message.body
    assert f"Stop e-mails about {about}" in _words(_html(message))
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"


@pytest.fixture
def round(staff):
    return open_round(staff=staff)


def test_round_opened(staff):
    leader = LeaderFactory()
    round = open_round(staff=staff)
    notices.send_opening_notices(round_id=round.pk)
    [message] = to(leader.email)
    assert_well_made(message, "is now open", "Spring consultation")
    assert_footer_for(message, "consultation rounds opening or closing soon")


def test_round_closing(round):
    leader = LeaderFactory()
    notices.send_closing_reminders(round_id=round.pk)
    [message] = to(leader.email)
    assert_well_made(message, "If you have not voted yet, there is still time")


def test_reply_links_to_the_comment_not_the_round(round):
    from notifications.receivers import tell_of_comment

    alice, bob = LeaderFactory(), LeaderFactory()
    first = consultation.post_comment(actor=alice, round=round, body="I agree.")
    reply = consultation.post_comment(
        actor=bob, round=round, body="Have you thought about rotas?", parent=first
    )
    # The signal fires once the comment's transaction commits; a unit test's never does.
    tell_of_comment(sender=None, comment=reply)
    [message] = to(alice.email)
    assert_well_made(message, "replied to your comment", "Have you thought about rotas?")
    assert f"{settings.SITE_URL}{reply.get_absolute_url()}" in message.body
    assert f"#comment-{reply.pk}" in message.body
    assert_footer_for(message, "replies to your comments and comments on your proposals")


def test_following(round):
    from notifications.receivers import tell_of_proposal

    follower, author = LeaderFactory(), LeaderFactory()
    services.set_preference(user=follower, kind=Kind.FOLLOWING, mode=Mode.IMMEDIATE)
    services.follow(user=follower, what="round", pk=round.pk)
    commitment = round.version.commitments.order_by("pk").first()
    proposal = consultation.propose(
        actor=author,
        round=round,
        kind=Proposal.Kind.REWORDING,
        commitment=commitment,
        text="New words.",
        rationale="Clearer.",
    )
    tell_of_proposal(sender=None, proposal=proposal)
    [message] = to(follower.email)
    assert_well_made(message, "New proposal in Spring consultation", "New words.")


def test_moderation_report_for_staff(round, staff):
    from notifications.receivers import tell_moderators

    services.set_preference(user=staff, kind=Kind.MODERATION, mode=Mode.IMMEDIATE)
    comment = consultation.post_comment(actor=LeaderFactory(), round=round, body="Rude words.")
    report = consultation.report_comment(actor=LeaderFactory(), comment=comment, reason="Personal attack")
    tell_moderators(sender=None, report=report)
    [message] = to(staff.email)
    assert_well_made(message, "was reported", "Personal attack")
    assert_footer_for(message, "new reports to moderate")


def _applied_round_with_a_proposal(staff, votes=0):
    round = open_round(staff=staff)
    author = LeaderFactory()
    commitment = round.version.commitments.order_by("pk").first()
    proposal = consultation.propose(
        actor=author,
        round=round,
        kind=Proposal.Kind.REWORDING,
        commitment=commitment,
        text="Bolder words.",
        rationale="Why not.",
    )
    for voter in LeaderFactory.create_batch(votes):
        consultation.cast_vote(actor=voter, round=round, commitment=commitment, choice=proposal)
    consultation.close_round(round=round, actor=staff, reason="Test")
    consultation.apply_results(actor=staff, round=Round.objects.get(pk=round.pk))
    return round, author


def test_decision(staff):
    round, author = _applied_round_with_a_proposal(staff, votes=2)
    notices.tell_authors_of_decisions(round_id=round.pk)
    [message] = to(author.email)
    assert_well_made(message, "Taken into the next draft.", "Bolder words.")
    assert_footer_for(message, "decisions on your proposals")


def test_a_decision_no_one_voted_on_says_so(staff):
    round, author = _applied_round_with_a_proposal(staff, votes=0)
    notices.tell_authors_of_decisions(round_id=round.pk)
    [message] = to(author.email)
    assert "0 of 0" not in message.body and "0 of 0" not in _html(message)
    assert_well_made(message, "No one voted on this commitment, so its current wording stands.")


def test_comment_hidden(round, staff):
    author = LeaderFactory()
    comment = consultation.post_comment(actor=author, round=round, body="Something unkind.")
    consultation.hide_comment(actor=staff, comment=comment, reason="Personal attack")
    notices.tell_author_comment_hidden(comment_id=comment.pk)
    [message] = to(author.email)
    assert_well_made(message, "has been hidden by the moderators", "Their reason: Personal attack")
    assert "Auto-Submitted" in message.extra_headers


def test_digest(round):
    alice = LeaderFactory()
    services.set_preference(user=alice, kind=Kind.REPLY, mode=Mode.DIGEST)
    services.notify(
        kind=Kind.REPLY, users=[alice], key="comment:1", subject="Bob replied to your comment", body="Rotas?"
    )
    services.send_digests()
    [message] = to(alice.email)
    assert_well_made(message, "Here is what happened since your last digest", "Bob replied to your comment")
    assert_footer_for(message, "the daily digest")


def test_not_yet_voted_reminder(round, staff):
    leader = LeaderFactory(full_name="Siân O’Brien")
    commitment = round.version.commitments.order_by("pk").first()
    consultation.propose(
        actor=LeaderFactory(),
        round=round,
        kind=Proposal.Kind.REWORDING,
        commitment=commitment,
        text="We will listen – really listen – first.",
        rationale="Clearer.",
    )
    consultation.post_comment(actor=leader, round=round, body="I will vote once I have read it all.")
    notices.remind_not_yet_voted(actor=staff, round=round)
    [message] = to(leader.email)
    assert_well_made(
        message, "Dear Siân O’Brien", "You have answered 0 of 1 question in", "Spring consultation"
    )
    assert f"{settings.SITE_URL}{round.get_absolute_url()}" in message.body
    assert_footer_for(message, "reminders to answer every question in a round")
    assert "/unsubscribe/not_yet_voted/" in message.extra_headers["List-Unsubscribe"]


def test_refresh_invitation(staff):
    from signatories.tasks import send_refresh_invitations

    version = publish(staff)
    signature = SignatureFactory(version=version)
    draft = compact_services.start_new_draft(actor=staff, compact=version.compact)
    compact_services.ratify(actor=staff, version=draft)
    compact_services.publish(actor=staff, version=draft, note="Refreshed")
    send_refresh_invitations(draft.pk, version.pk)
    [message] = to(signature.signer.email)
    assert_well_made(message, "have refreshed it", "Your signature stays with version 1")
    # Kind labels keep their capitals inside a sentence.
    assert_footer_for(message, "compacts you signed being refreshed or due for review")


def test_review_reminder_for_staff_has_a_staff_kind_of_its_own(staff):
    version = publish(staff, review_due_on=date(2027, 6, 30))
    signature = SignatureFactory(version=version)
    compact_services.remind_reviews(today=date(2027, 6, 1))
    [for_staff] = to(staff.email)
    [for_signatory] = to(signature.signer.email)
    for message in (for_staff, for_signatory):
        assert_well_made(message, "is due for review on 30 June 2027")
    assert_footer_for(for_staff, "compacts due for review")
    assert "/unsubscribe/review/" in for_staff.extra_headers["List-Unsubscribe"]
    assert_footer_for(for_signatory, "compacts you signed being refreshed or due for review")


def test_signature_confirmation(staff):
    from notifications import outbox
    from signatories.models import Signature

    signature = SignatureFactory(
        version=publish(staff), status=Signature.Status.PENDING, confirmed_at=None, organisation=None
    )
    outbox.put(letters=[signing_services.confirmation_letter(signature_id=signature.pk)])
    [message] = to(signature.signer.email)
    assert_well_made(message, "To confirm your signature", "The link works once")
    assert "Auto-Submitted" not in message.extra_headers and "Stop e-mails" not in message.body


def test_email_confirmation_at_sign_up(client):
    client.post(
        reverse("account_signup"),
        {
            "email": "new.leader@example.org",
            "password1": "a-strong-passphrase-42",
            "password2": "a-strong-passphrase-42",
            "full_name": "Nia Evans",
            "job_title": "Chief operating officer",
            "organisation_name": "Westvale NHS Trust",
        },
    )
    [message] = to("new.leader@example.org")
    assert_well_made(message, "Hello from Leadership Compact.", "To confirm the address and sign in")


def test_password_reset_in_the_products_words(client, leader):
    client.post(reverse("account_reset_password"), {"email": leader.email})
    [message] = to(leader.email)
    assert_well_made(message, "asked to choose a new password", "The link works once")
    assert "You're receiving this email" not in message.body


def test_password_reset_for_an_unknown_address(client):
    client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})
    [message] = to("nobody@example.org")
    assert_well_made(message, "No account uses this address, so there is no password to change.")


def test_sign_up_with_an_address_that_has_an_account(client, leader):
    client.post(
        reverse("account_signup"),
        {
            "email": leader.email,
            "password1": "a-strong-passphrase-42",
            "password2": "a-strong-passphrase-42",
            "full_name": "Nia Evans",
            "job_title": "Chief operating officer",
            "organisation_name": "Westvale NHS Trust",
        },
    )
    [message] = to(leader.email)
    assert_well_made(message, "This address already has an account.")


def test_every_kind_a_person_controls_is_made_by_a_test_here():
    # A new kind needs its test above (and its .html beside its .txt).
    assert set(Kind.values) == {
        "round",
        "reply",
        "decision",
        "compact",
        "following",
        "moderation",
        "review",
        "not_yet_voted",
    }
