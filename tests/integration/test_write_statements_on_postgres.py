"""How many SQL statements the two busiest writes take on PostgreSQL: a leader's vote and a
signatory's confirmation. A change that adds a round trip to either shows here first."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from compact.errors import DomainError
from consultation import services as consultation
from consultation.models import Proposal, Round, Vote
from signatories import services as signing
from signatories.models import Signature
from tests.consultation.factories import open_round
from tests.factories import LeaderFactory, StaffFactory, published_version

pytestmark = pytest.mark.postgres


def beyond_sign_in(captured):
    """The statements a view made itself: not the middleware reading who is signed in, which
    depends on the session engine."""
    return [
        query["sql"]
        for query in captured.captured_queries
        if "django_session" not in query["sql"] and '"accounts_user"' not in query["sql"]
    ]


@pytest.fixture
def question(db):
    round = open_round(staff=StaffFactory())
    commitment = round.version.commitments.order_by("pk").first()
    proposal = consultation.propose(
        actor=LeaderFactory(),
        round=round,
        kind=Proposal.Kind.REWORDING,
        commitment=commitment,
        text="Other words.",
        rationale="x",
    )
    return round, commitment, proposal


def post_vote(client, round, data):
    with CaptureQueriesContext(connection) as captured:
        response = client.post(reverse("consultation:vote", kwargs={"round_pk": round.pk}), data)
    return response, beyond_sign_in(captured)


def test_a_new_vote_and_a_changed_vote_are_one_statement_each(client, leader, question):
    round, commitment, proposal = question
    client.force_login(leader)
    page = reverse("consultation:commitment", kwargs={"round_pk": round.pk, "pk": commitment.pk})

    response, statements = post_vote(client, round, {"commitment": commitment.pk, "choice": "current"})
    assert response.status_code == 302 and response["Location"] == page
    assert len(statements) == 1, statements
    assert statements[0].startswith("INSERT INTO consultation_vote") and "FOR SHARE OF r" in statements[0]
    first = Vote.objects.get(voter=leader)
    assert first.choice == Vote.Choice.CURRENT and first.chosen_proposal is None

    response, statements = post_vote(
        client, round, {"commitment": commitment.pk, "choice": f"proposal:{proposal.pk}"}
    )
    assert response.status_code == 302 and len(statements) == 1, statements
    changed = Vote.objects.get(voter=leader)
    assert (changed.pk, changed.cast_at) == (first.pk, first.cast_at)
    assert changed.choice == Vote.Choice.PROPOSAL and changed.chosen_proposal == proposal
    assert changed.changed_at > first.changed_at

    # "Your vote is saved" travels in a signed cookie: the session is not written.
    assert not response.wsgi_request.session.modified
    assert "Your vote is saved" in client.get(page).content.decode()


def test_a_vote_on_a_removal_proposal_is_one_statement(client, leader, question):
    round, commitment, _ = question
    removal = consultation.propose(
        actor=LeaderFactory(), round=round, kind=Proposal.Kind.REMOVAL, commitment=commitment, rationale="x"
    )
    client.force_login(leader)

    response, statements = post_vote(client, round, {"proposal": removal.pk, "choice": "oppose"})

    assert response.status_code == 302 and response["Location"] == removal.get_absolute_url()
    assert len(statements) == 1, statements
    assert Vote.objects.get(voter=leader, question_proposal=removal).choice == Vote.Choice.OPPOSE


def test_a_vote_cast_through_the_service_is_one_statement(django_assert_num_queries, leader, question):
    round, commitment, proposal = question
    with django_assert_num_queries(1):
        vote = consultation.cast_vote(actor=leader, round=round, commitment=commitment, choice=proposal)
    assert vote.pk == Vote.objects.get(voter=leader).pk and vote.chosen_proposal_id == proposal.pk


def test_a_refused_vote_takes_the_long_way_and_says_why(client, leader, question):
    round, commitment, _ = question
    Round.objects.filter(pk=round.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    client.force_login(leader)

    response, statements = post_vote(client, round, {"commitment": commitment.pk, "choice": "current"})

    assert response.status_code == 400
    assert "This round has closed" in response.content.decode()
    assert len(statements) > 1 and not Vote.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_confirmation_is_one_read_then_one_statement_writing_it_with_its_audit_row(
    client, mailoutbox, monkeypatch
):
    from compact.tasks import render_pdf

    renders = []  # the PDF render is queued for a worker, not run in this request
    monkeypatch.setattr(render_pdf, "apply_async", lambda args, **options: renders.append(args))
    version = published_version(staff=StaffFactory())
    leader = LeaderFactory()
    signing.sign(actor=leader, version=version, full_name="Ada", role="Chair", consent=True)
    token = mailoutbox[-1].body.split("/signatures/confirm/", 1)[1].split("/", 1)[0]

    with CaptureQueriesContext(connection) as captured:
        response = client.post(reverse("signatories:confirm", kwargs={"token": token}))

    assert response.status_code == 200 and "is confirmed" in response.content.decode()
    signature = Signature.objects.get(signer=leader)
    assert signature.status == Signature.Status.CONFIRMED
    # Whether the signer is staff (for the audit row's label) is a role check, counted apart:
    # accounts.roles decides how that is looked up.
    statements = [
        query["sql"] for query in captured.captured_queries if '"auth_permission"' not in query["sql"]
    ]
    # No transaction of its own: the read, then the write guarded by the token it read, with the
    # audit row in the same statement; after it, the compact's generation raised (its cached pages
    # list signatures) and the check that a PDF render is owed (the render itself is queued).
    assert len(statements) == 4, statements
    read, write, generation, pdf = statements
    assert read.startswith('SELECT "signatories_signature"') and "FOR UPDATE" not in read
    assert write.startswith('WITH "changed" AS (UPDATE "signatories_signature"')
    assert '"token_hash" = ' in write and 'INSERT INTO "audit_auditevent"' in write
    assert generation.startswith('UPDATE "compact_compact" SET "generation"')
    assert pdf.startswith('SELECT "compact_pdfexport"')
    assert renders == [(version.pk,)]
    event = AuditEvent.objects.get(action="confirm signature")
    assert (event.object_id, event.actor_id, event.after) == (
        str(signature.pk),
        leader.pk,
        {"status": "confirmed"},
    )


@pytest.mark.django_db(transaction=True)
def test_a_link_used_between_the_read_and_the_write_writes_nothing(mailoutbox, monkeypatch):
    """The write is guarded by the token it read: whatever changed the row in between (the same
    link confirmed in another request, here) leaves this confirmation writing nothing, and saying
    the link was used."""
    version = published_version(staff=StaffFactory())
    leader = LeaderFactory()
    signing.sign(actor=leader, version=version, full_name="Ada", role="Chair", consent=True)
    token = mailoutbox[-1].body.split("/signatures/confirm/", 1)[1].split("/", 1)[0]
    read = signing.signature_for_token

    def read_then_used_elsewhere(*, token):
        signature = read(token=token)
        Signature.objects.filter(pk=signature.pk).update(token_hash="", status=Signature.Status.WITHDRAWN)
        return signature

    monkeypatch.setattr(signing, "signature_for_token", read_then_used_elsewhere)

    with pytest.raises(DomainError, match="already been used"):
        signing.confirm(token=token)

    assert Signature.objects.get(signer=leader).status == Signature.Status.WITHDRAWN
    assert not AuditEvent.objects.filter(action="confirm signature").exists()
