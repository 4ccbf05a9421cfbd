"""National-scale data, in bulk and deterministic from a seed.

1 compact, 8 themes, 2 parties, 200 commitments; a published version 1 signed by many, and
version 2 out for consultation in an open round with proposals, votes and comments.
"""

import random
from dataclasses import dataclass
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

# Rows per INSERT: with server-side binding (config/settings.py) a statement takes at most 65,535
# parameters, and a signature has 28 columns.
BATCH = 2000
PASSWORD = "bench-password-2026"  # noqa: S105 - benchmark accounts only


@dataclass(frozen=True)
class Scale:
    name: str
    leaders: int
    proposals: int
    votes: int
    comments: int
    signatures: int
    organisations: int
    themes: int = 8
    parties: int = 2
    commitments: int = 200


NATIONAL = Scale(
    "national",
    leaders=2_000,
    proposals=400,
    votes=50_000,
    comments=5_000,
    signatures=10_000,
    organisations=1_500,
)
TEN_TIMES = Scale(
    "x10",
    leaders=20_000,
    proposals=4_000,
    votes=500_000,
    comments=50_000,
    signatures=100_000,
    organisations=15_000,
)
TINY = Scale(
    "tiny", leaders=30, proposals=12, votes=200, comments=40, signatures=60, organisations=12, commitments=32
)
SCALES = {scale.name: scale for scale in (NATIONAL, TEN_TIMES, TINY)}


@transaction.atomic
def generate(scale, seed=2026):
    from accounts.models import User
    from compact.models import Commitment, Compact, Party, Theme, Version
    from compact.services import copy_version
    from consultation.models import Comment, Proposal, Round, Vote
    from signatories.models import Organisation, Signature
    from tests.factories import StaffFactory

    rng = random.Random(seed)
    now = timezone.now()
    staff = StaffFactory(email="bench-staff@example.org")
    password = make_password(PASSWORD)

    leaders = User.objects.bulk_create(
        [
            User(
                email=f"leader{n}@bench.example.org",
                full_name=f"Leader {n}",
                job_title="Director",
                organisation_name=f"Trust {n % 700}",
                password=password,
            )
            for n in range(scale.leaders)
        ],
        batch_size=BATCH,
    )
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in leaders], batch_size=BATCH
    )

    compact = Compact.objects.create(
        title="The National Leadership Compact", slug="national", created_by=staff
    )
    v1 = Version.objects.create(
        compact=compact, number=1, vision="Every leader is supported to lead with compassion."
    )
    parties = [
        Party.objects.create(version=v1, name=f"Party {p + 1}", position=p + 1) for p in range(scale.parties)
    ]
    themes = [
        Theme.objects.create(version=v1, title=f"Theme {t + 1}", position=t + 1) for t in range(scale.themes)
    ]
    cells = [(t, p) for t in themes for p in parties]
    Commitment.objects.bulk_create(
        [
            Commitment(
                version=v1,
                theme=cells[i % len(cells)][0],
                party=cells[i % len(cells)][1],
                text=f"We will keep commitment number {i + 1} to the people we lead.",
                position=i // len(cells) + 1,
            )
            for i in range(scale.commitments)
        ],
        batch_size=BATCH,
    )
    v1.content_hash = v1.compute_content_hash()
    v1.status, v1.ratified_at, v1.published_at = Version.Status.PUBLISHED, now, now
    v1.save()

    v2 = copy_version(source=v1, created_by=staff)
    v2.status = Version.Status.CONSULTATION
    v2.save(update_fields=["status"])
    round = Round.objects.create(
        version=v2,
        title="National refresh",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=30),
        status=Round.Status.OPEN,
        opened_at=now,
        opening_notice_sent_at=now,
        reminder_sent_at=now,
        created_by=staff,
    )
    commitments = list(v2.commitments.order_by("id"))
    proposals = Proposal.objects.bulk_create(
        [
            Proposal(
                round=round,
                kind=Proposal.Kind.REWORDING,
                author=leaders[i % len(leaders)],
                commitment=commitments[i % len(commitments)],
                text=f"Proposed wording {i} for this commitment.",
                text_fingerprint=f"proposed wording {i} for this commitment",
                rationale="Clearer.",
            )
            for i in range(scale.proposals)
        ],
        batch_size=BATCH,
    )
    by_commitment = {}
    for proposal in proposals:
        by_commitment.setdefault(proposal.commitment_id, []).append(proposal)
    questions = [c for c in commitments if c.pk in by_commitment]
    per_leader = max(1, scale.votes // len(leaders))
    votes = []
    for leader in leaders:
        if len(votes) >= scale.votes:
            break
        for commitment in rng.sample(questions, min(per_leader, len(questions))):
            options = by_commitment[commitment.pk]
            pick = rng.randrange(len(options) + 1)
            if pick == len(options):
                votes.append(
                    Vote(round=round, voter=leader, commitment=commitment, choice=Vote.Choice.CURRENT)
                )
            else:
                votes.append(
                    Vote(
                        round=round,
                        voter=leader,
                        commitment=commitment,
                        choice=Vote.Choice.PROPOSAL,
                        chosen_proposal=options[pick],
                    )
                )
    Vote.objects.bulk_create(votes[: scale.votes], batch_size=BATCH)
    Comment.objects.bulk_create(
        [
            Comment(
                round=round,
                author=leaders[i % len(leaders)],
                target=Comment.Target.COMMITMENT if i % 5 else Comment.Target.WHOLE_COMPACT,
                commitment=commitments[i % len(commitments)] if i % 5 else None,
                body=f"Comment {i}",
                body_html=f"<p>Comment {i}</p>",
            )
            for i in range(scale.comments)
        ],
        batch_size=BATCH,
    )

    organisations = Organisation.objects.bulk_create(
        [
            Organisation(
                name=f"Organisation {n} NHS Trust",
                kind=rng.choice(["trust", "icb", "national", "other"]),
                region=rng.choice([r for r, _ in Organisation.Region.choices]),
            )
            for n in range(scale.organisations)
        ],
        batch_size=BATCH,
    )
    signers = User.objects.bulk_create(
        [
            User(email=f"signatory{n}@bench.example.org", full_name=f"Signatory {n}", password=password)
            for n in range(scale.signatures)
        ],
        batch_size=BATCH,
    )
    Signature.objects.bulk_create(
        [
            Signature(
                version=v1,
                content_hash=v1.content_hash,
                signer=signer,
                organisation=organisations[n % len(organisations)] if n % 8 else None,
                full_name=signer.full_name,
                role="Chief executive",
                consent_to_publish=True,
                status=Signature.Status.CONFIRMED,
                confirmed_at=now - timedelta(minutes=n),
            )
            for n, signer in enumerate(signers)
        ],
        batch_size=BATCH,
    )
    return {
        "compact": compact,
        "published": v1,
        "round": round,
        "staff": staff,
        "leaders": leaders,
        "questions": questions,
    }
