"""Every decision leaves one append-only record: who, when (UTC), what, before and after."""

from datetime import UTC, timedelta
from unittest import mock

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from audit.models import AppendOnly, AuditEvent
from compact import services as compact_services
from consultation import services as consultation_services
from consultation.models import Comment
from signatories import services as signing
from signatories.models import Signature
from tests.consultation.factories import open_round
from tests.factories import LeaderFactory, StaffFactory, draft_version, published_version
from tests.signatories.factories import OrganisationFactory, SignatureFactory

pytestmark = pytest.mark.django_db


def actions(compact=None):
    events = AuditEvent.objects.order_by("id")
    if compact is not None:
        events = events.filter(compact=compact)
    return [e.action for e in events]


def test_ratify_and_publish_each_record_who_when_and_what_changed(staff):
    version = published_version(staff=staff)
    ratify, publish = AuditEvent.objects.filter(compact=version.compact).order_by("id")
    assert (ratify.action, publish.action) == ("ratify", "publish")
    assert ratify.actor == staff and ratify.actor_label == f"staff, user {staff.pk}"
    assert staff.full_name not in ratify.actor_label  # named on the page, not in the record
    assert ratify.before == {"status": "draft"}
    assert ratify.after == {"status": "ratified", "content_hash": version.content_hash}
    assert publish.after["status"] == "published" and publish.after["note"] == "First publication."
    assert (ratify.object_type, ratify.object_id) == ("compact.version", str(version.pk))
    assert ratify.at.utcoffset() == timedelta(0) and ratify.at <= timezone.now()
    assert ratify.at.astimezone(UTC) == ratify.at


def test_a_round_records_opening_an_early_close_with_its_reason_and_the_results_applied(staff):
    round = open_round(staff=staff)
    consultation_services.close_round(round=round, actor=staff, reason="We heard enough.")
    draft = consultation_services.apply_results(actor=staff, round=round)
    compact = round.version.compact
    assert actions(compact) == ["open round", "close round", "apply results"]
    opened, closed, applied = AuditEvent.objects.filter(compact=compact).order_by("id")
    assert opened.actor is None and opened.actor_label == "the system"
    assert closed.before == {"status": "open"}
    assert closed.after == {"status": "closed", "early_reason": "We heard enough."}
    assert applied.after["draft"] == draft.number and applied.actor == staff


def test_the_scheduler_closing_many_rounds_writes_one_event_per_round():
    staff = StaffFactory()
    rounds = [open_round(staff=staff, days=1) for _ in range(3)]
    later = timezone.now() + timedelta(days=2)
    with mock.patch("django.utils.timezone.now", return_value=later):
        result = consultation_services.advance_rounds(now=later)
    assert result["closed"] == 3
    closes = AuditEvent.objects.filter(action="close round")
    assert closes.count() == 3
    assert {e.object_id for e in closes} == {str(r.pk) for r in rounds}
    assert {e.compact_id for e in closes} == {r.version.compact_id for r in rounds}
    assert all(e.actor_label == "the system" for e in closes)


def test_moderating_a_comment_records_hiding_with_its_reason_and_restoring(staff):
    round = open_round(staff=staff)
    comment = consultation_services.post_comment(
        actor=LeaderFactory(), round=round, body="Something rude", target=Comment.Target.WHOLE_COMPACT
    )
    consultation_services.hide_comment(actor=staff, comment=comment, reason="Personal attack")
    consultation_services.restore_comment(actor=staff, comment=comment)
    hide, restore = AuditEvent.objects.filter(object_type="consultation.comment").order_by("id")
    assert hide.action == "hide comment" and hide.after == {"hidden": True, "reason": "Personal attack"}
    assert restore.before == {"hidden": True, "reason": "Personal attack"}
    assert hide.compact_id == round.version.compact_id


def test_a_signature_records_confirmation_hiding_restoring_and_withdrawal(staff, mailoutbox):
    version = published_version(staff=staff)
    leader = LeaderFactory()
    signature = signing.sign(
        actor=leader, version=version, full_name="Ada Lovelace", role="Chair", consent=True
    )
    token = signing.issue_confirmation(signature=signature)
    signing.confirm(token=token)
    signing.hide_signature(actor=staff, signature=signature, reason="Checking it is real")
    signing.restore_signature(actor=staff, signature=signature)
    signing.withdraw(actor=leader, signature=signature, reason="Left the post")
    events = AuditEvent.objects.filter(object_type="signatories.signature").order_by("id")
    assert [e.action for e in events] == [
        "confirm signature",
        "hide signature",
        "restore signature",
        "withdraw signature",
    ]
    confirm, hide, _, withdraw = events
    assert confirm.actor == leader and confirm.actor_label == f"user {leader.pk}"
    assert "Ada" not in confirm.actor_label  # names live on the signature, which erasure can reach
    assert hide.actor == staff and hide.after["reason"] == "Checking it is real"
    assert withdraw.before == {"status": "confirmed"} and withdraw.compact_id == version.compact_id


def test_verifying_an_organisation_is_recorded(staff):
    organisation = OrganisationFactory()
    signing.verify_organisation(actor=staff, organisation=organisation)
    signing.verify_organisation(actor=staff, organisation=organisation, verified=False)
    assert actions() == ["verify organisation", "unverify organisation"]
    assert AuditEvent.objects.first().compact_id is None


def test_a_refused_change_records_nothing(staff):
    version = draft_version(themes=0)
    with pytest.raises(compact_services.DomainError):
        compact_services.ratify(actor=staff, version=version)
    assert not AuditEvent.objects.exists()


# --- append-only ---------------------------------------------------------------------------------
def test_an_audit_event_cannot_be_changed_or_deleted_through_the_orm(staff):
    published_version(staff=staff)
    event = AuditEvent.objects.first()
    event.action = "something else"
    with pytest.raises(AppendOnly):
        event.save()
    with pytest.raises(AppendOnly):
        event.delete()
    with pytest.raises(AppendOnly):
        AuditEvent.objects.filter(pk=event.pk).update(action="rewritten")
    with pytest.raises(AppendOnly):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "publish"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_raw_sql_cannot_change_or_delete_an_audit_event():
    published_version()
    event = AuditEvent.objects.order_by("id").first()
    for sql in (
        "UPDATE audit_auditevent SET action = 'forged' WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as c,
        ):
            c.execute(sql, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == "ratify"


# --- the staff page ------------------------------------------------------------------------------
def test_staff_read_a_compacts_audit_trail_newest_first(staff, staff_client):
    version = published_version(staff=staff)
    other = published_version(staff=staff)
    response = staff_client.get(reverse("audit:compact", kwargs={"slug": version.compact.slug}))
    page = response.content.decode()
    assert response.status_code == 200
    assert page.index("published version") < page.index("ratified version")
    assert version.content_hash in page
    assert f"compact.version {other.pk}" not in page


def test_leaders_cannot_read_the_audit_trail(leader_client):
    version = published_version()
    response = leader_client.get(reverse("audit:compact", kwargs={"slug": version.compact.slug}))
    assert response.status_code == 403


def test_the_compact_management_page_links_to_its_audit_trail(staff, staff_client):
    version = published_version(staff=staff)
    page = staff_client.get(reverse("compact:staff_compact", kwargs={"slug": version.compact.slug}))
    assert reverse("audit:compact", kwargs={"slug": version.compact.slug}) in page.content.decode()


def test_withdrawing_through_the_page_records_the_signer(client):
    version = published_version()
    signature = SignatureFactory(version=version)
    client.force_login(signature.signer)
    client.post(
        reverse("signatories:withdraw", kwargs={"pk": signature.pk}), {"reason": "", "confirmed": "yes"}
    )
    assert Signature.objects.get(pk=signature.pk).status == Signature.Status.WITHDRAWN
    assert AuditEvent.objects.get(action="withdraw signature").actor == signature.signer
