"""The demo round: open on the draft, with proposals, comments and votes from demo leaders."""

from datetime import timedelta

from django.utils import timezone

from compact.demo import DEMO_PASSWORD, _person

from . import services
from .models import Proposal, Round

MORE_LEADERS = [
    (f"leader{n}@example.org", name, title, organisation)
    for n, (name, title, organisation) in enumerate(
        [
            ("Amara Okafor", "Director of nursing", "Riverside Hospitals NHS Foundation Trust"),
            ("Tom Hughes", "Chief operating officer", "North Coast Integrated Care Board"),
            ("Li Wei", "Medical director", "Eastfield Community Health NHS Trust"),
            ("Grace Mensah", "Chief executive", "Valley Mental Health NHS Foundation Trust"),
            ("Owen Price", "Director of people", "Westshire Ambulance Service NHS Trust"),
            ("Hannah Cole", "Clinical director", "City and Hills Integrated Care Board"),
            ("Ravi Patel", "Deputy chief executive", "Southbridge University Hospitals NHS Trust"),
            ("Sarah Lloyd", "Director of strategy", "Moorland Partnership NHS Foundation Trust"),
        ],
        start=4,
    )
]


def load(context):
    draft = context.get("draft")
    if draft is None or Round.objects.filter(version=draft).exists():
        if draft is not None:
            context["round"] = Round.objects.filter(version=draft).first()
        return
    staff = context["staff"]
    leader, leader2, leader3 = context["leaders"]
    others = [_person(email, name, title, org, staff=False) for email, name, title, org in MORE_LEADERS]
    now = timezone.now()
    round = services.schedule_round(
        actor=staff,
        version=draft,
        title="Refreshing the compact: spring round",
        description=(
            "A year on, does the compact still say what we mean? Read each commitment, propose better "
            "wording where it falls short, and vote on the wording you want to stand behind."
        ),
        opens_at=now - timedelta(days=3),
        closes_at=now + timedelta(days=18),
    )
    # The demo e-mails nobody: mark the opening notice as already sent.
    Round.objects.filter(pk=round.pk).update(opening_notice_sent_at=now)
    commitments = list(
        draft.commitments.select_related("theme", "party").order_by(
            "theme__position", "party__position", "position"
        )
    )
    first, second, third = commitments[0], commitments[1], commitments[6]

    better = services.propose(
        actor=leader,
        round=round,
        kind=Proposal.Kind.REWORDING,
        commitment=first,
        text="We will give leaders protected time, space and resources to develop themselves and their teams.",
        rationale="“Time” is promised everywhere and given nowhere. “Protected” makes it a promise we can check.",
    )
    shorter = services.propose(
        actor=leader2,
        round=round,
        kind=Proposal.Kind.REWORDING,
        commitment=first,
        text="We will fund and protect time for leaders to develop themselves and their teams.",
        rationale="Resources means money; say so.",
    )
    notice = services.propose(
        actor=leader3,
        round=round,
        kind=Proposal.Kind.REWORDING,
        commitment=second,
        text="We will make sure national requests are joined up and come with at least four weeks' notice.",
        rationale="“Fair notice” means something different to everyone.",
    )
    new = services.propose(
        actor=others[0],
        round=round,
        kind=Proposal.Kind.NEW_COMMITMENT,
        theme=first.theme,
        party=first.party,
        text="We will ask leaders what to stop doing before we ask them to start something new.",
        rationale="Every year we add and never take away.",
    )
    removal = services.propose(
        actor=others[1],
        round=round,
        kind=Proposal.Kind.REMOVAL,
        commitment=third,
        rationale="It repeats the commitment above it in other words.",
    )
    voters = [leader2, leader3, *others]
    for index, voter in enumerate(voters):
        services.cast_vote(
            actor=voter, round=round, commitment=first, choice=[better, shorter, "current"][index % 3]
        )
        if index % 2 == 0:
            services.cast_vote(actor=voter, round=round, commitment=second, choice=notice)
        services.cast_vote(
            actor=voter, round=round, proposal=new, choice="support" if index % 4 else "oppose"
        )
        if index < 5:
            services.cast_vote(
                actor=voter, round=round, proposal=removal, choice="oppose" if index % 2 else "support"
            )

    opening = services.post_comment(
        actor=others[3],
        round=round,
        body="The vision still holds for me. What has changed is how stretched everyone is: the compact should **say** that.",
    )
    services.post_comment(
        actor=leader2,
        round=round,
        parent=opening,
        body="Agreed. Could the *sustain* section promise a yearly check-in?",
    )
    services.post_comment(
        actor=others[2],
        round=round,
        target="commitment",
        commitment=first,
        body="Protected time only works if someone covers the rota. Who pays for that?",
    )
    services.post_comment(
        actor=others[4],
        round=round,
        target="proposal",
        proposal=new,
        body="Yes, please. A list of things we can stop would be the most useful page in the compact.",
    )
    services.post_comment(
        actor=leader3,
        round=round,
        target="theme",
        theme=first.theme,
        body="This theme is the one people quote back to us. Let's keep it short.",
    )
    context["round"] = round
    context["logins"] = [
        *context["logins"],
        *[(email, f"leader ({title}) who has voted") for email, _n, title, _o in MORE_LEADERS[:1]],
    ]
    context.setdefault("password", DEMO_PASSWORD)
