"""What the service holds about one person, for their own download (UK GDPR right of access).

Everything linked to the person is in it: each foreign key (or many-to-many) from any model to the
user model is listed in COVERAGE with the section of the download that holds its rows, and
tests/accounts/test_personal_data.py fails when a model gains a link to people that is not here.
"""

from datetime import date, datetime
from typing import Any

from django.apps import apps

from .models import User

# "app_label.model.field" -> the download's section holding the rows linked through that field.
COVERAGE = {
    "account.emailaddress.user": "account",
    "mfa.authenticator.user": "two_factor",
    "consultation.comment.author": "comments",
    "consultation.proposal.author": "proposals",
    "consultation.vote.voter": "votes",
    "consultation.report.reporter": "reports_filed",
    "consultation.round.invited": "rounds_invited_to",
    "signatories.signature.signer": "signatures",
    "reflections.reflection.author": "reflections",
    "audit.auditevent.actor": "audit_trail",
    "admin.logentry.user": "admin_changes",
    "socialaccount.socialaccount.user": "organisation_accounts",
    "notifications.preference.user": "notifications",
    "notifications.follow.user": "notifications",
    "notifications.pendingnotification.user": "notifications",
    "notifications.digestsent.user": "notifications",
    "notifications.outgoing.user": "notifications",
}
# What staff did: the record, and in which capacity the person appears on it.
STAFF_ACTIONS = [
    ("compact.Compact", "created_by"),
    ("compact.Version", "created_by"),
    ("compact.Version", "ratified_by"),
    ("compact.Version", "published_by"),
    ("consultation.Round", "created_by"),
    ("consultation.Round", "closed_by"),
    ("consultation.Round", "applied_by"),
    ("consultation.Comment", "hidden_by"),
    ("consultation.Report", "resolved_by"),
    ("consultation.Result", "decided_by"),
    ("signatories.Organisation", "verified_by"),
    ("signatories.Signature", "hidden_by"),
    ("signatories.Signature", "organisation_verified_by"),
    ("signatories.Signature", "reviewed_by"),
    ("signatories.Signature", "released_by"),
    ("reflections.ReflectionSession", "created_by"),
]
COVERAGE.update({f"{label.lower()}.{field}": "staff_actions" for label, field in STAFF_ACTIONS})


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value else None


def personal_data(user: User) -> dict[str, Any]:
    # A JSON document: each section is a list of plain dicts of that record's fields.
    """A plain structure of the person's account and everything they contributed; a fixed number
    of queries (one per kind of record)."""
    Comment = apps.get_model("consultation", "Comment")
    Proposal = apps.get_model("consultation", "Proposal")
    Vote = apps.get_model("consultation", "Vote")
    Signature = apps.get_model("signatories", "Signature")
    EmailAddress = apps.get_model("account", "EmailAddress")
    Report = apps.get_model("consultation", "Report")
    Round = apps.get_model("consultation", "Round")
    Reflection = apps.get_model("reflections", "Reflection")
    Authenticator = apps.get_model("mfa", "Authenticator")
    AuditEvent = apps.get_model("audit", "AuditEvent")
    LogEntry = apps.get_model("admin", "LogEntry")
    return {
        "account": {
            "id": user.pk,
            "email": user.email,
            "full_name": user.full_name,
            "job_title": user.job_title,
            "organisation": user.organisation_name,
            "kind_of_role": user.get_leadership_role_display(),
            "joined": _iso(user.date_joined),
            "last_sign_in": _iso(user.last_login),
            "email_addresses": [
                {"id": e.pk, "email": e.email, "verified": e.verified, "primary": e.primary}
                for e in EmailAddress.objects.filter(user=user).order_by("id")
            ],
        },
        "comments": [
            {
                "id": c.pk,
                "round": c.round.title,
                "on": c.target,
                "body": c.body,
                "written": _iso(c.created_at),
                "edited": _iso(c.edited_at),
                "deleted": _iso(c.deleted_at),
                "hidden_by_moderators": _iso(c.hidden_at),
            }
            for c in Comment.objects.filter(author=user).select_related("round").order_by("id")
        ],
        "proposals": [
            {
                "id": p.pk,
                "round": p.round.title,
                "kind": p.kind,
                "text": p.text,
                "rationale": p.rationale,
                "status": p.status,
            }
            for p in Proposal.objects.filter(author=user).select_related("round").order_by("id")
        ],
        # Only the person themself ever sees their own votes: everyone else sees totals.
        "votes": [
            {
                "id": v.pk,
                "round": v.round.title,
                "commitment": v.commitment_id,
                "proposal_question": v.question_proposal_id,
                "choice": v.choice,
                "chosen_proposal": v.chosen_proposal_id,
                "cast": _iso(v.cast_at),
                "changed": _iso(v.changed_at),
            }
            for v in Vote.objects.filter(voter=user).select_related("round").order_by("id")
        ],
        "signatures": [
            {
                "id": s.pk,
                "compact": s.version.compact.title,
                "version": s.version.number,
                "name": s.full_name,
                "role": s.role,
                "organisation": s.organisation.name if s.organisation else None,
                "status": s.status,
                "signed": _iso(s.created_at),
                "confirmed": _iso(s.confirmed_at),
                "withdrawn": _iso(s.withdrawn_at),
                "content_hash": s.content_hash,
            }
            for s in Signature.objects.filter(signer=user)
            .select_related("version__compact", "organisation")
            .order_by("id")
        ],
        "reflections": [
            {
                "id": r.pk,
                "compact": r.compact.title,
                "commitment": str(r.commitment_key) if r.commitment_key else None,
                "kind": r.kind,
                "text": r.text,
                "who_may_read": r.visibility,
                "written": _iso(r.created_at),
            }
            for r in Reflection.objects.filter(author=user).select_related("compact").order_by("id")
        ],
        "reports_filed": [
            {
                "id": r.pk,
                "comment": r.comment_id,
                "reason": r.reason,
                "filed": _iso(r.created_at),
                "resolved": _iso(r.resolved_at),
            }
            for r in Report.objects.filter(reporter=user).order_by("id")
        ],
        "rounds_invited_to": [
            {"id": r.pk, "round": r.title} for r in Round.objects.filter(invited=user).order_by("id")
        ],
        # The kind of device and when it was used; never its secret.
        "two_factor": [
            {"id": a.pk, "type": a.type, "added": _iso(a.created_at), "last_used": _iso(a.last_used_at)}
            for a in Authenticator.objects.filter(user=user).order_by("id")
        ],
        "audit_trail": [
            {
                "id": e.pk,
                "at": _iso(e.at),
                "action": e.action,
                "object_type": e.object_type,
                "object_id": e.object_id,
            }
            for e in AuditEvent.objects.filter(actor=user).order_by("id")
        ],
        "admin_changes": [
            {"id": e.pk, "at": _iso(e.action_time), "object": e.object_repr, "change": e.get_change_message()}
            for e in LogEntry.objects.filter(user=user).order_by("id")
        ],
        "staff_actions": _staff_actions(user),
        "notifications": _notifications(user),
        # Organisation sign-in links: which provider and its id for the person; never a token.
        "organisation_accounts": [
            {"id": a.pk, "provider": a.provider, "uid": a.uid, "linked": _iso(a.date_joined)}
            for a in apps.get_model("socialaccount", "SocialAccount").objects.filter(user=user).order_by("id")
        ],
    }


def _notifications(user: User) -> list[dict[str, object]]:
    """E-mail settings, follows and the e-mails queued or sent (one query per kind of record)."""
    rows = []
    for label, fields in (
        ("notifications.Preference", ("kind", "mode")),
        ("notifications.Follow", ("target", "created_at")),
        ("notifications.PendingNotification", ("kind", "subject", "created_at", "sent_at")),
        ("notifications.DigestSent", ("day",)),
        # The outbox: what was sent, not the bodies (a sent link's secret is emptied anyway).
        ("notifications.Outgoing", ("kind", "subject", "status", "created_at", "sent_at")),
    ):
        model = apps.get_model(label)
        for record in model.objects.filter(user=user).order_by("pk"):
            row = {"record": model._meta.label_lower, "id": record.pk}
            row.update(
                {
                    f: getattr(record, f) if isinstance(getattr(record, f), str) else _iso(getattr(record, f))
                    for f in fields
                }
            )
            rows.append(row)
    return rows


def _staff_actions(user: User) -> list[dict[str, object]]:
    """Records the person acted on as staff (one query per kind of action)."""
    actions = []
    for label, field in STAFF_ACTIONS:
        model = apps.get_model(label)
        for record in model.objects.filter(**{field: user}).order_by("pk"):
            actions.append(
                {"record": model._meta.label_lower, "id": record.pk, "as": field, "what": str(record)[:200]}
            )
    return actions
