"""Erasure reaches everything: after a person touched by every kind of audited action deletes
their account, no text column of any table holds their name or e-mail address (issue 34, item 2).

The audit trail records personal values by reference (an account number, a field's name,
"changed"), and what it must keep is redacted by erasure through the one narrow path the
append-only trigger allows. Run on PostgreSQL too, where that trigger exists."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib.sessions.models import Session
from django.db import models
from django.db.models.functions import Cast
from django.test import Client
from django.urls import reverse

from accounts.models import User
from audit import services as audit
from audit.models import AppendOnly, AuditEvent
from consultation import services as consultation_services
from consultation.models import Comment, Proposal, Vote
from notifications import services as notification_services
from reflections import services as reflection_services
from signatories import services as signatory_services
from signatories.models import Signature
from tests.consultation.factories import open_round
from tests.factories import LeaderFactory, StaffFactory, UserFactory, published_version
from tests.signatories.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

OLD_NAME, NEW_NAME = "Sarah Lloyd", "Sarah Lloyd-Quinn"
OLD_EMAIL, NEW_EMAIL, SECOND_EMAIL = (
    "sarah.lloyd@probe.example",
    "s.lloyd-quinn@probe.example",
    "sarah.at.home@probe.example",
)
# What must be found nowhere: her surname covers both names she had.
NEEDLES = ["Lloyd", OLD_EMAIL, NEW_EMAIL, SECOND_EMAIL]


def _text_columns(model):
    return [
        field
        for field in model._meta.concrete_fields
        if isinstance(field, models.CharField | models.TextField | models.JSONField)
    ]


def places_holding(needle):
    """Every (table, column, row) whose text holds the needle, in any model of any app; sessions
    are decoded first, since their stored form is signed and encoded."""
    found = []
    for model in apps.get_models():
        if model is Session:
            for session in Session.objects.all():
                if needle.lower() in str(session.get_decoded()).lower():
                    found.append(("django_session", "session_data", session.pk))
            continue
        for field in _text_columns(model):
            rows = model._base_manager.all()
            if isinstance(field, models.JSONField):
                # JSON as text; non-ASCII would be escaped on SQLite, and these needles are ASCII.
                rows = rows.annotate(_as_text=Cast(field.name, models.TextField())).filter(
                    _as_text__icontains=needle
                )
            else:
                rows = rows.filter(**{f"{field.name}__icontains": needle})
            found += [(model._meta.db_table, field.column, pk) for pk in rows.values_list("pk", flat=True)]
    return found


def mail_token(mailoutbox):
    return re.search(r"/signatures/confirm/([^/\s]+)/", mailoutbox[-1].body).group(1)


def admin_user_form(user, **changes):
    data = {
        "email": user.email,
        "full_name": user.full_name,
        "job_title": user.job_title,
        "organisation_name": user.organisation_name,
        "is_active": "on",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "last_login_0": "",
        "last_login_1": "",
        "_save": "Save",
    }
    data.update(changes)
    return data


@pytest.fixture
def sarah(settings, mailoutbox, django_capture_on_commit_callbacks):
    """Sarah Lloyd, touched by every kind of audited action, and signed in on two devices."""
    settings.RATE_LIMITS = {"sign": [("user", 100, 3600), ("ip", 1000, 3600)]}
    capture = django_capture_on_commit_callbacks
    staff = StaffFactory()
    superuser = UserFactory(
        email="root@academy.example", full_name="Root Admin", is_staff=True, is_superuser=True
    )
    sarah = LeaderFactory(full_name=OLD_NAME, email=OLD_EMAIL, job_title="Director of nursing")
    sarah.emailaddress_set.update(email=OLD_EMAIL)

    # Signing, confirming, withdrawing, signing again; staff hide, restore, approve, review.
    first = published_version(staff=staff)
    with capture(execute=True):
        signed = signatory_services.sign(
            actor=sarah,
            version=first,
            full_name=OLD_NAME,
            role="Director",
            consent=True,
            client_address="203.0.113.5",
        )
    signatory_services.confirm(token=mail_token(mailoutbox))
    signatory_services.withdraw(actor=sarah, signature=signed, reason="Signing again for my trust")
    trust = OrganisationFactory(name="Harbour NHS Trust")
    with capture(execute=True):
        again = signatory_services.sign(
            actor=sarah, version=first, full_name=OLD_NAME, role="Director", consent=True, organisation=trust
        )
    signatory_services.confirm(token=mail_token(mailoutbox))
    signatory_services.approve_organisation_signature(actor=staff, signature=again)
    # Staff's own words may name her; the trail keeps them, and erasure redacts her name.
    signatory_services.hide_signature(actor=staff, signature=again, reason=f"Checking {OLD_NAME}'s duplicate")
    signatory_services.restore_signature(actor=staff, signature=again)
    again.refresh_from_db()
    signatory_services.mark_reviewed(actor=staff, signature=again)
    signatory_services.verify_organisation(actor=staff, organisation=trust)

    # Comments, replies, reports, moderation, proposals, votes, follows, reflections.
    round = open_round(staff=staff)
    commitment = round.version.commitments.order_by("pk").first()
    comment = consultation_services.post_comment(
        actor=sarah, round=round, body="Protected time matters.", target=Comment.Target.WHOLE_COMPACT
    )
    other = LeaderFactory()
    consultation_services.post_comment(
        actor=other, round=round, body="Agreed.", target=Comment.Target.WHOLE_COMPACT, parent=comment
    )
    consultation_services.report_comment(actor=other, comment=comment, reason="Off topic")
    consultation_services.hide_comment(actor=staff, comment=comment, reason="Off topic for this round")
    consultation_services.restore_comment(actor=staff, comment=comment)
    consultation_services.propose(
        actor=sarah,
        round=round,
        kind=Proposal.Kind.REWORDING,
        commitment=commitment,
        text="We will protect time to learn.",
        rationale="Plainer.",
    )
    consultation_services.cast_vote(
        actor=sarah, round=round, choice=Vote.Choice.CURRENT, commitment=commitment
    )
    notification_services.follow(user=sarah, what="round", pk=round.pk)
    reflection_services.reflect(actor=sarah, compact=first.compact, kind="celebrate", text="Going well.")

    # A superuser renames her (name and address) in the admin, adds an address and deletes it.
    admin = Client()
    admin.force_login(superuser)
    response = admin.post(
        reverse("admin:accounts_user_change", args=[sarah.pk]),
        admin_user_form(sarah, full_name=NEW_NAME, email=NEW_EMAIL),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    response = admin.post(
        reverse("admin:account_emailaddress_add"),
        {"user": sarah.pk, "email": SECOND_EMAIL, "verified": "on", "_save": "Save"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    extra = EmailAddress.objects.get(email=SECOND_EMAIL)
    assert (
        admin.post(reverse("admin:account_emailaddress_delete", args=[extra.pk]), {"post": "yes"}).status_code
        == 302
    )
    sarah.refresh_from_db()
    assert (sarah.full_name, sarah.email) == (NEW_NAME, NEW_EMAIL)

    # An event as the trail wrote them before it kept values by reference.
    audit.record(action="admin.changed", actor=superuser, target=sarah, before={"full_name": OLD_NAME})

    devices = [Client(), Client()]
    for device in devices:
        device.force_login(sarah)
    return {"sarah": sarah, "devices": devices, "staff": staff}


def test_the_admin_records_personal_values_by_reference(sarah):
    changed = (
        AuditEvent.objects.filter(action="admin.changed", object_type="accounts.user").order_by("id").first()
    )
    assert changed.after["full_name"] == "(changed)" and changed.after["email"] == "(changed)"
    assert OLD_NAME not in str(changed.before) + str(changed.after)
    deleted = AuditEvent.objects.get(action="admin.deleted")
    assert SECOND_EMAIL not in str(deleted.before) + str(deleted.after)
    assert (deleted.object_type, deleted.object_id) == ("account.emailaddress", str(deleted.object_id))


def test_erasing_a_person_touched_by_every_audited_action_leaves_their_name_and_address_nowhere(sarah):
    assert places_holding("Lloyd") and places_holding(NEW_EMAIL)  # the probe is real

    device = sarah["devices"][0]
    assert device.post(reverse("accounts:delete")).status_code == 302

    left = {needle: places for needle in NEEDLES if (places := places_holding(needle))}
    assert left == {}
    erased = User.objects.get(pk=sarah["sarah"].pk)
    assert erased.erased_at is not None
    # What others rely on stays: her signature counts, her comment reads, the trail is whole.
    assert Signature.objects.public().filter(signer=erased).count() == 1
    assert Comment.objects.filter(author=erased).exists()
    redacted = AuditEvent.objects.filter(action="audit.redacted").get()
    assert redacted.after["account"] == erased.pk


def test_the_trail_refuses_any_other_change_after_a_redaction(sarah):
    sarah["devices"][0].post(reverse("accounts:delete"))
    event = AuditEvent.objects.filter(action="admin.changed").first()
    with pytest.raises(AppendOnly):
        AuditEvent.objects.filter(pk=event.pk).update(action="tampered")
    with pytest.raises(AppendOnly):
        event.delete()


@pytest.mark.postgres
def test_erasure_on_postgresql_redacts_through_the_trigger_and_the_trigger_still_guards_the_rest(sarah):
    from django.db import DatabaseError, connection, transaction

    sarah["devices"][0].post(reverse("accounts:delete"))
    assert {needle: places for needle in NEEDLES if (places := places_holding(needle))} == {}
    event = AuditEvent.objects.filter(action="admin.changed").first()
    table = AuditEvent._meta.db_table
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET after = '{{}}' WHERE id = %s", [event.pk])  # noqa: S608
    # Even with the redaction switch on, only the wording columns may change.
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('audit.redacting', 'on', true)")
        cursor.execute(f"UPDATE {table} SET action = 'tampered' WHERE id = %s", [event.pk])  # noqa: S608
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('audit.redacting', 'on', true)")
        cursor.execute(f"DELETE FROM {table} WHERE id = %s", [event.pk])  # noqa: S608
