"""A round a national consultation might look like, small enough to count by hand: leaders from
listed organisations in several regions (typing their organisation's name in different ways),
from an organisation nobody vouched for, and with and without a kind of role; some vote, some
only comment, one proposes; and their actions spread over four days.

`TRUTH` holds what staff should see, worked out by hand from the people below (not by the code
under test): the participation page and the reminder are compared with it."""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.utils import timezone

from accounts.models import User
from consultation import services
from consultation.models import Comment, Proposal, Round, Vote
from signatories.models import Organisation
from tests.consultation.factories import open_round
from tests.factories import LeaderFactory
from tests.signatories.factories import OrganisationFactory

RIVERSIDE = "Riverside & Coast NHS Foundation Trust"
ST_MARYS = "St Mary’s Hospitals NHS Trust"
PENNINE = "Pennine Care – Mental Health NHS Trust"
HARBOUR = "Harbour Children’s Hospital NHS Trust"
WESTVALE = "Westvale <Primary> Care Network"  # claimed by a signer, never listed

Role = User.LeadershipRole

# Who is who: (key, organisation as they typed it, kind of role).
PEOPLE = [
    ("a1", RIVERSIDE, Role.BOARD),
    ("a2", RIVERSIDE, Role.BOARD),
    ("a3", "riverside & coast nhs foundation trust", Role.BOARD),
    ("a4", RIVERSIDE, Role.BOARD),
    ("a5", "Riverside &  Coast NHS Foundation Trust ", Role.SENIOR),
    ("a6", RIVERSIDE, Role.SENIOR),
    ("a7", RIVERSIDE, ""),
    ("b1", ST_MARYS, Role.BOARD),
    ("b2", ST_MARYS, Role.SENIOR),
    ("b3", ST_MARYS, Role.SENIOR),
    ("b4", ST_MARYS, Role.CLINICAL),
    ("b5", ST_MARYS, ""),
    ("b6", ST_MARYS, ""),
    ("c1", PENNINE, Role.CLINICAL),
    ("c2", PENNINE, Role.MANAGER),
    ("c3", PENNINE, ""),
    ("d1", HARBOUR, Role.BOARD),
    ("d2", HARBOUR, Role.OTHER),
    ("w1", WESTVALE, Role.SENIOR),
    ("w2", WESTVALE, Role.SENIOR),
    ("w3", WESTVALE, Role.MANAGER),
    ("w4", WESTVALE, ""),
    ("w5", WESTVALE, ""),
]

# The three questions: X (a commitment's wording), N (a new commitment), R (a removal), and who
# answers which. Day 0 is the day the round opened, day 3 today.
VOTES = {
    "a1": ("XNR", 0),
    "a2": ("XN", 0),
    "a3": ("X", 0),
    "a4": ("N", 1),
    "b1": ("XNR", 1),
    "b2": ("X", 1),
    "b3": ("R", 2),
    "c1": ("XN", 2),
    "d1": ("X", 3),
    "w1": ("N", 3),
    "w2": ("XNR", 3),
}
COMMENTS = {"a5": 1, "c2": 3}  # who comments only, and on which day
PROPOSER = "b1"  # proposes all three questions, on day 0

COMBINED = "Smaller groups, counted together"

TRUTH = {
    "eligible": 24,  # 23 leaders and the member of staff who opened the round
    "taken_part": 13,
    "voted": 11,
    # (label, eligible, taken part, voted), as shown: groups under five are counted together.
    "region": [
        ("East of England", 7, 5, 4),
        ("London", 6, 3, 3),
        # Westvale is only a claim, so it decides no region; nor does the Academy's name.
        ("Region not known", 6, 2, 2),
        (COMBINED, 5, 3, 2),  # Pennine (North East and Yorkshire) and Harbour (South West)
    ],
    "role": [
        ("Board member", 6, 6, 6),
        ("Senior leader", 6, 5, 4),
        ("Not given", 7, 0, 0),
        (COMBINED, 5, 2, 1),  # clinical 2, manager 2, another role 1
    ],
    "organisation": [
        (RIVERSIDE, 7, 5, 4),
        (ST_MARYS, 6, 3, 3),
        (WESTVALE, 5, 2, 2),
        (COMBINED, 6, 3, 2),  # Pennine 3, Harbour 2, the Academy 1
    ],
    "people_per_day": [4, 4, 2, 4],
    "votes_per_day": [6, 5, 3, 5],
    "votes_per_question": {"R": 4, "N": 7, "X": 8},
    # Taking part, not every question answered: (key, answered of 3).
    "not_yet_voted": [
        ("a2", 2),
        ("a3", 1),
        ("a4", 1),
        ("a5", 0),
        ("b2", 1),
        ("b3", 1),
        ("c1", 2),
        ("c2", 0),
        ("d1", 1),
        ("w1", 1),
    ],
    # Groups that must never be seen on their own.
    "hidden": [
        PENNINE,
        HARBOUR,
        "The Leadership Academy",
        "North East and Yorkshire",
        "South West",
        "Clinical leader",
        "Manager or team leader",
        "Another role",
    ],
}


@dataclass
class NationalRound:
    round: Round
    people: dict[str, User]
    questions: dict[str, object] = field(default_factory=dict)
    days: list = field(default_factory=list)


def _at(day, hour=12):
    return timezone.make_aware(datetime.combine(day, time(hour)))


def national_round(*, staff) -> NationalRound:
    """Build the round above through the real services, then move each action to its day."""
    for name, region in (
        (RIVERSIDE, Organisation.Region.EAST_OF_ENGLAND),
        (ST_MARYS, Organisation.Region.LONDON),
        (PENNINE, Organisation.Region.NORTH_EAST_AND_YORKSHIRE),
        (HARBOUR, Organisation.Region.SOUTH_WEST),
    ):
        OrganisationFactory(name=name, region=region)
    # A signer's claim, with a region they typed: it must not place anyone.
    OrganisationFactory(name=WESTVALE, region=Organisation.Region.MIDLANDS, listed=False)

    people = {
        key: LeaderFactory(
            email=f"{key}@example.org",
            full_name=f"Leader {key.upper()} O’Neill-Smith",
            organisation_name=organisation,
            leadership_role=role,
            job_title="Director – <acting>",
        )
        for key, organisation, role in PEOPLE
    }
    round = open_round(staff=staff, title="Refreshing the compact: “spring” round – <national>")
    commitments = list(round.version.commitments.order_by("pk"))
    proposer = people[PROPOSER]
    wording = services.propose(
        actor=proposer,
        round=round,
        kind=Proposal.Kind.REWORDING,
        commitment=commitments[0],
        text="We will protect time – “real” time – for leaders & their teams.",
        rationale="Time is promised everywhere and given nowhere.",
    )
    new = services.propose(
        actor=proposer,
        round=round,
        kind=Proposal.Kind.NEW_COMMITMENT,
        theme=commitments[0].theme,
        party=commitments[0].party,
        text="We will ask what to <stop> before we ask for something new.",
        rationale="Every year we add and never take away.",
    )
    removal = services.propose(
        actor=proposer,
        round=round,
        kind=Proposal.Kind.REMOVAL,
        commitment=commitments[1],
        rationale="Repeats.",
    )
    questions = {"X": commitments[0], "N": new, "R": removal}
    for key, (answers, _day) in VOTES.items():
        for question in answers:
            if question == "X":
                services.cast_vote(actor=people[key], round=round, commitment=commitments[0], choice=wording)
            else:
                services.cast_vote(
                    actor=people[key], round=round, proposal=questions[question], choice="support"
                )
    for key in COMMENTS:
        services.post_comment(actor=people[key], round=round, body="Protected time needs cover – who pays?")

    today = timezone.localdate()
    days = [today - timedelta(days=3 - n) for n in range(4)]
    Round.objects.filter(pk=round.pk).update(opens_at=_at(days[0], 9), opened_at=_at(days[0], 9))
    for key, (_answers, day) in VOTES.items():
        Vote.objects.filter(round=round, voter=people[key]).update(cast_at=_at(days[day]))
    for key, day in COMMENTS.items():
        Comment.objects.filter(round=round, author=people[key]).update(created_at=_at(days[day]))
    Proposal.objects.filter(round=round).update(created_at=_at(days[0], 10))
    round.refresh_from_db()
    return NationalRound(round=round, people=people, questions=questions, days=days)
