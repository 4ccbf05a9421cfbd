"""What the service holds about one person, for their own download (UK GDPR right of access)."""

from django.apps import apps


def _iso(value):
    return value.isoformat() if value else None


def personal_data(user):
    """A plain structure of the person's account and everything they contributed; a fixed number
    of queries (one per kind of record)."""
    Comment = apps.get_model("consultation", "Comment")
    Proposal = apps.get_model("consultation", "Proposal")
    Vote = apps.get_model("consultation", "Vote")
    Signature = apps.get_model("signatories", "Signature")
    EmailAddress = apps.get_model("account", "EmailAddress")
    return {
        "account": {
            "id": user.pk,
            "email": user.email,
            "full_name": user.full_name,
            "job_title": user.job_title,
            "organisation": user.organisation_name,
            "joined": _iso(user.date_joined),
            "last_sign_in": _iso(user.last_login),
            "email_addresses": [
                {"email": e.email, "verified": e.verified, "primary": e.primary}
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
    }
