"""The demo round: open on the draft, with proposals, comments and votes from demo leaders."""

from datetime import timedelta

from django.utils import timezone

from compact import services as compact_services
from compact.demo import DEMO_PASSWORD, demo_person
from compact.models import Version

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
    compact = context["compact"]
    rounds = Round.objects.filter(version__compact=compact)
    if rounds.exists():
        context["round"] = rounds.order_by("-opens_at").first()
        return
    staff = context["staff"]
    others = [demo_person(email, name, title, org, staff=False) for email, name, title, org in MORE_LEADERS]
    published = _first_round(context, others)
    draft = compact_services.start_new_draft(actor=staff, compact=compact)
    context.update(published=published, draft=draft)
    _spring_round(context, draft, others)


def _quietly(round, **stamps):
    """The demo e-mails nobody: mark a round's notices as sent before the tasks look."""
    Round.objects.filter(pk=round.pk).update(**{f"{notice}_sent_at": at for notice, at in stamps.items()})


def _first_round(context, others):
    """Version 1, drafted by staff, goes out to leaders; their wording makes version 2, published.

    So "compare version 1 with version 2" shows a reworded commitment and the proposal and votes
    that changed it, and a new commitment leaders asked for.
    """
    staff, compact = context["staff"], context["compact"]
    leader, leader2, leader3 = context["leaders"]
    first_draft = compact.versions.get(number=1)
    now = timezone.now()
    round = services.schedule_round(
        actor=staff,
        version=first_draft,
        title="Writing the compact: first round",
        description="The Academy's first draft. Tell us where the words fall short of what you need.",
        opens_at=now - timedelta(minutes=1),
        closes_at=now + timedelta(minutes=1),
    )
    _quietly(round, opening_notice=now, reminder=now, decision_notices=now)
    commitments = {c.text: c for c in first_draft.commitments.all()}
    feedback = commitments["We will tell leaders what changed as a result of their feedback."]
    concerns = commitments["We will raise concerns early, so they can be resolved together."]
    together = first_draft.themes.get(title="Working together across the system")
    reworded = services.propose(
        actor=leader3,
        round=round,
        kind=Proposal.Kind.REWORDING,
        commitment=feedback,
        text=(
            "We will tell leaders, within three months, what changed as a result of their feedback, "
            "and what did not change and why."
        ),
        rationale="“You said, we did” only builds trust if it comes soon and owns what was not done.",
    )
    not_adopted = services.propose(
        actor=others[5],
        round=round,
        kind=Proposal.Kind.REWORDING,
        commitment=concerns,
        text="We will raise concerns formally through our board.",
        rationale="Concerns should be on the record.",
    )
    new = services.propose(
        actor=others[6],
        round=round,
        kind=Proposal.Kind.NEW_COMMITMENT,
        theme=together,
        party=concerns.party,
        text="We will share data and staff with partners when it helps patients, not only when it helps us.",
        rationale="Partnership is tested when it costs us something.",
    )
    for index, voter in enumerate([leader, leader2, *others]):
        services.cast_vote(
            actor=voter, round=round, commitment=feedback, choice="current" if index % 4 == 3 else reworded
        )
        services.cast_vote(
            actor=voter, round=round, commitment=concerns, choice=not_adopted if index % 3 == 2 else "current"
        )
        services.cast_vote(
            actor=voter, round=round, proposal=new, choice="oppose" if index % 5 == 4 else "support"
        )
    services.post_comment(
        actor=others[7],
        round=round,
        target="proposal",
        proposal=reworded,
        body="Three months is a promise we can check. Please keep the part about what did not change.",
    )
    # The round ran for three weeks, four months ago; here it is closed as its schedule would.
    Round.objects.filter(pk=round.pk).update(closes_at=now)
    services.close_round(round=round)
    second = services.apply_results(actor=staff, round=round)
    Round.objects.filter(pk=round.pk).update(
        opens_at=now - timedelta(days=130),
        opened_at=now - timedelta(days=130),
        closes_at=now - timedelta(days=109),
        closed_at=now - timedelta(days=109),
        applied_at=now - timedelta(days=105),
    )
    compact_services.ratify(actor=staff, version=second)
    compact_services.publish(
        actor=staff, version=second, note="The first compact, written with leaders across the system."
    )
    published_at = now - timedelta(days=100)
    Version.objects.filter(pk=second.pk).update(
        ratified_at=published_at - timedelta(days=2),
        published_at=published_at,
        review_due_on=(published_at + timedelta(days=365)).date(),
    )
    second.refresh_from_db()
    return second


def _spring_round(context, draft, others):
    """The refresh: version 3 is out to leaders now, with proposals, votes and comments."""
    staff = context["staff"]
    leader, leader2, leader3 = context["leaders"]
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
    _quietly(round, opening_notice=now)
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
