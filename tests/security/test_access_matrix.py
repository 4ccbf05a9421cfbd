"""Who may do what: every role against every state-changing URL and every staff page or export.

Each cell of the table is the answer that role must get, asserted on its own:
- "302 login" / "302 mfa": sent to sign in / to set up two-factor authentication;
- "... done": the change happened; any other answer to a changing URL must leave nothing changed;
- "200 sees": the page shows what only that role may read (a staff-only reflection); a bare 200
  must not show it;
- a bare status (200, 400, 403, 404, 302) is the status, with nothing changed.

Staff without two-factor (M) reach nothing but the two-factor set-up, sign-out and their own account
until they set it up: one gate (config.middleware.StaffTwoFactorMiddleware) in front of every page.

Roles: V visitor · U signed in, e-mail unverified · L leader (invited; wrote the comment and the
proposal) · X leader not invited to the invited round · S signatory (signed S1) · O another
organisation's signatory (signed S2) · T academy staff with two-factor · M academy staff without
two-factor where the deployment requires it.
"""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse
from django.utils import timezone

from compact import services as compact_services
from compact.models import Compact, PdfExport, Theme, Version
from consultation import services as consultation_services
from consultation.models import Comment, Proposal, Report, Round, Vote
from reflections.models import Reflection, ReflectionSession
from signatories.models import Organisation, Signature
from tests.consultation.factories import open_round
from tests.factories import (
    LeaderFactory,
    StaffFactory,
    ThemeFactory,
    UserFactory,
    draft_version,
    published_version,
)
from tests.signatories.factories import SignatureFactory

pytestmark = pytest.mark.django_db

ROLES = ("V", "U", "L", "X", "S", "O", "T", "M")


@dataclass
class World:
    staff: object
    users: dict
    a_published: Version  # compact A: version 1 published, version 2 out for an invited round
    a_draft: Version
    round: Round
    comment: Comment
    proposal: Proposal
    commitment: object
    s1: Signature
    s2: Signature
    b_draft: Version  # compact B: a draft nobody is consulting on
    c_ratified: Version  # compact C: ratified, not yet published
    d_closed: Round  # compact D: a closed round waiting for its results to be applied
    e_draft: Version  # compact E: a draft with a theme that has no commitments yet


def build_world():
    staff = StaffFactory()
    Authenticator.objects.create(user=staff, type=Authenticator.Type.TOTP, data={"secret": "x"})
    users = {
        "V": None,
        "U": UserFactory(verified=False),
        "L": LeaderFactory(),
        "X": LeaderFactory(),
        "S": LeaderFactory(),
        "O": LeaderFactory(),
        "T": staff,
        "M": StaffFactory(),
    }
    a_published = published_version(staff=staff)
    a_draft = compact_services.start_new_draft(actor=staff, compact=a_published.compact)
    round = open_round(
        version=a_draft,
        staff=staff,
        participation=Round.Participation.INVITED,
        invited=[users[r] for r in ("U", "L", "S", "O")],
    )
    commitment = a_draft.commitments.order_by("pk").first()
    comment = consultation_services.post_comment(
        actor=users["L"], round=round, body="The author's own words.", target=Comment.Target.WHOLE_COMPACT
    )
    proposal = consultation_services.propose(
        actor=users["L"],
        round=round,
        kind=Proposal.Kind.REWORDING,
        commitment=commitment,
        text="We will listen first.",
        rationale="Plainer.",
    )
    s1 = SignatureFactory(version=a_published, signer=users["S"])
    s2 = SignatureFactory(version=a_published, signer=users["O"])
    c_ratified = draft_version(themes=1, commitments_per_cell=1)
    compact_services.ratify(actor=staff, version=c_ratified)
    d_closed = open_round(version=draft_version(themes=1, commitments_per_cell=1), staff=staff)
    consultation_services.close_round(round=d_closed, actor=staff, reason="Closed for the test.")
    b_draft = draft_version(themes=2, commitments_per_cell=1)
    e_draft = draft_version(themes=1, commitments_per_cell=1)
    ThemeFactory(version=e_draft, title="An empty theme")
    Reflection.objects.create(
        compact=a_published.compact,
        version=a_published,
        author=users["S"],
        kind=Reflection.Kind.CONCERN,
        text="A worry only staff should read.",
        visibility=Reflection.Visibility.STAFF_ONLY,
    )
    return World(
        staff=staff,
        users=users,
        a_published=a_published,
        a_draft=a_draft,
        round=round,
        comment=comment,
        proposal=proposal,
        commitment=commitment,
        s1=s1,
        s2=s2,
        b_draft=b_draft,
        e_draft=e_draft,
        c_ratified=c_ratified,
        d_closed=d_closed,
    )


def _v(version):
    return {"slug": version.compact.slug, "number": version.number}


def _theme(w, n=1):
    return w.b_draft.themes.get(title__startswith=f"Theme {n} ")


def _part(w, name):
    return reverse(f"compact:{name}", kwargs={**_v(w.b_draft), "kind": "themes", "pk": _theme(w).pk})


def _empty_theme(w):
    theme = Theme.objects.get(version=w.e_draft, title="An empty theme")
    return reverse("compact:staff_part_remove", kwargs={**_v(w.e_draft), "kind": "themes", "pk": theme.pk})


@dataclass
class Action:
    name: str
    method: str
    url: object  # world -> url
    expected: str  # one cell per role, in ROLES order, separated by " | "
    data: object = None  # world -> POST data
    effect: object = None  # world -> True once the change has happened
    reveals: object = None  # response -> True when the page shows what only some roles may read


R = lambda name, **kw: lambda w: reverse(name, kwargs=kw(w) if callable(kw) else kw)  # noqa: E731

STAFF_PAGE = "302 login | 403 | 403 | 403 | 403 | 403 | 200 | 302 mfa"
PUBLIC_TAKE_PART = "302 login | {U} | {L} | {X} | {S} | {O} | {T} | {M}"

ACTIONS = [
    # --- consultation: taking part ---------------------------------------------------------------
    Action(
        "post a comment",
        "POST",
        lambda w: reverse("consultation:comment", kwargs={"round_pk": w.round.pk}),
        "302 login | 400 | 302 done | 400 | 302 done | 302 done | 400 | 302 mfa",
        data=lambda w: {"body": "A new thought", "target": "vision"},
        effect=lambda w: Comment.objects.filter(body="A new thought").exists(),
    ),
    Action(
        "edit the leader's comment",
        "POST",
        lambda w: reverse("consultation:comment_edit", kwargs={"round_pk": w.round.pk, "pk": w.comment.pk}),
        "302 login | 404 | 302 done | 404 | 404 | 404 | 404 | 302 mfa",
        data=lambda w: {"body": "Edited words", "target": "vision"},
        effect=lambda w: Comment.objects.get(pk=w.comment.pk).body == "Edited words",
    ),
    Action(
        "delete the leader's comment",
        "POST",
        lambda w: reverse("consultation:comment_delete", kwargs={"round_pk": w.round.pk, "pk": w.comment.pk}),
        "302 login | 404 | 302 done | 404 | 404 | 404 | 404 | 302 mfa",
        effect=lambda w: Comment.objects.get(pk=w.comment.pk).deleted_at is not None,
    ),
    Action(
        "report the leader's comment",
        "POST",
        lambda w: reverse("consultation:comment_report", kwargs={"round_pk": w.round.pk, "pk": w.comment.pk}),
        "302 login | 302 done | 302 done | 302 done | 302 done | 302 done | 302 done | 302 mfa",
        data=lambda w: {"reason": "Rude"},
        effect=lambda w: Report.objects.filter(comment=w.comment).exists(),
    ),
    Action(
        "propose a rewording",
        "POST",
        lambda w: reverse("consultation:propose", kwargs={"round_pk": w.round.pk}),
        "302 login | 400 | 302 done | 400 | 302 done | 302 done | 400 | 302 mfa",
        data=lambda w: {
            "kind": "rewording",
            "commitment": w.commitment.pk,
            "text": "We will act on what we hear.",
            "rationale": "Stronger.",
        },
        effect=lambda w: Proposal.objects.filter(text="We will act on what we hear.").exists(),
    ),
    Action(
        "edit the leader's proposal",
        "POST",
        lambda w: reverse("consultation:proposal_edit", kwargs={"round_pk": w.round.pk, "pk": w.proposal.pk}),
        "302 login | 404 | 302 done | 404 | 404 | 404 | 404 | 302 mfa",
        data=lambda w: {"text": "We will listen first, always.", "rationale": "Plainer."},
        effect=lambda w: Proposal.objects.get(pk=w.proposal.pk).text == "We will listen first, always.",
    ),
    Action(
        "withdraw the leader's proposal",
        "POST",
        lambda w: reverse(
            "consultation:proposal_withdraw", kwargs={"round_pk": w.round.pk, "pk": w.proposal.pk}
        ),
        "302 login | 302 | 302 done | 302 | 302 | 302 | 302 | 302 mfa",
        effect=lambda w: Proposal.objects.get(pk=w.proposal.pk).status == Proposal.Status.WITHDRAWN,
    ),
    Action(
        "vote",
        "POST",
        lambda w: reverse("consultation:vote", kwargs={"round_pk": w.round.pk}),
        "302 login | 400 | 302 done | 400 | 302 done | 302 done | 400 | 302 mfa",
        data=lambda w: {"commitment": w.commitment.pk, "choice": "current"},
        effect=lambda w: Vote.objects.filter(round=w.round).exists(),
    ),
    # --- signing -----------------------------------------------------------------------------------
    Action(
        "sign the published compact",
        "POST",
        lambda w: reverse("signatories:sign", kwargs={"slug": w.a_published.compact.slug}),
        "302 login | 400 | 302 done | 302 done | 400 | 400 | 302 done | 302 mfa",
        data=lambda w: {
            "full_name": "A Signer",
            "role": "Director",
            "on_behalf": "personal",
            "consent": "on",
        },
        effect=lambda w: Signature.objects.filter(full_name="A Signer").exists(),
    ),
    Action(
        "read S1's receipt",
        "GET",
        lambda w: reverse("signatories:signature", kwargs={"pk": w.s1.pk}),
        "302 login | 404 | 404 | 404 | 200 | 404 | 404 | 302 mfa",
    ),
    Action(
        "withdraw S1",
        "POST",
        lambda w: reverse("signatories:withdraw", kwargs={"pk": w.s1.pk}),
        "302 login | 404 | 404 | 404 | 302 done | 404 | 404 | 302 mfa",
        data=lambda w: {"reason": "Left the post", "confirmed": "yes"},
        effect=lambda w: Signature.objects.get(pk=w.s1.pk).status == Signature.Status.WITHDRAWN,
    ),
    Action(
        "resend S1's confirmation",
        "POST",
        lambda w: reverse("signatories:resend", kwargs={"pk": w.s1.pk}),
        "302 login | 404 | 404 | 404 | 302 | 404 | 404 | 302 mfa",
    ),
    # --- the PDF -----------------------------------------------------------------------------------
    Action(
        "download the draft's PDF",
        "GET",
        lambda w: reverse("compact:pdf", kwargs=_v(w.a_draft)),
        "404 | 404 | 404 | 404 | 404 | 404 | 200 | 302 mfa",
    ),
    # --- what staff read or do outside the staff area -----------------------------------------------
    Action(
        "read the draft out for consultation",
        "GET",
        lambda w: reverse("compact:version", kwargs=_v(w.a_draft)),
        # The leaders invited to the round (L, S, O) read the draft they are asked to judge.
        "404 | 404 | 200 | 404 | 200 | 200 | 200 | 302 mfa",
    ),
    Action(
        "compare the draft with the published version",
        "GET",
        lambda w: (
            reverse("compact:compare", kwargs={"slug": w.a_draft.compact.slug})
            + f"?from={w.a_published.number}&to={w.a_draft.number}"
        ),
        "200 | 200 | 200 sees | 200 | 200 sees | 200 sees | 200 sees | 302 mfa",
        reveals=lambda response: response.context["comparison"] is not None,
    ),
    Action(
        "download a closed round's results as CSV",
        "GET",
        lambda w: reverse("consultation:results_csv", kwargs={"round_pk": w.d_closed.pk}),
        "302 login | 404 | 404 | 404 | 404 | 404 | 200 | 302 mfa",
    ),
    Action(
        "read the reflections (one is staff-only)",
        "GET",
        lambda w: reverse("reflections:page", kwargs={"slug": w.a_published.compact.slug}),
        "200 | 200 | 200 | 200 | 200 sees | 200 | 200 sees | 302 mfa",
        reveals=lambda response: "A worry only staff should read." in response.content.decode(),
    ),
    Action(
        "record a reflection session",
        "POST",
        lambda w: reverse("reflections:page", kwargs={"slug": w.a_published.compact.slug}),
        "302 login | 400 | 400 | 400 | 400 | 400 | 302 done | 302 mfa",
        data=lambda w: {"form": "session", "held_on": "2026-01-05", "title": "Winter", "outcomes": "Agreed."},
        effect=lambda w: ReflectionSession.objects.filter(title="Winter").exists(),
    ),
    # The admin is for superusers (tests/security/test_staff_two_factor.py); academy staff without
    # two-factor are stopped before it asks who they are.
    Action("the admin", "GET", lambda w: "/admin/", "302 | 302 | 302 | 302 | 302 | 302 | 302 | 302 mfa"),
    Action(
        "download a ratified, unpublished version's PDF",
        "GET",
        lambda w: reverse("compact:pdf", kwargs=_v(w.c_ratified)),
        "404 | 404 | 404 | 404 | 404 | 404 | 503 | 302 mfa",
    ),
    Action(
        "download a copy for a signing event (with signature lines)",
        "GET",
        lambda w: reverse("compact:staff_signing_pdf", kwargs=_v(w.a_published)),
        STAFF_PAGE,
    ),
    Action(
        "retry a failed PDF",
        "POST",
        lambda w: reverse("compact:pdf_retry", kwargs=_v(w.a_published)),
        "302 login | 403 | 403 | 403 | 403 | 403 | 302 done | 302 mfa",
        effect=lambda w: not PdfExport.objects.filter(status=PdfExport.Status.FAILED).exists(),
    ),
    # --- staff pages and exports ---------------------------------------------------------------------
    Action("staff dashboard", "GET", R("compact:staff_dashboard"), STAFF_PAGE),
    Action("new compact form", "GET", R("compact:staff_compact_create"), STAFF_PAGE),
    Action(
        "create a compact",
        "POST",
        R("compact:staff_compact_create"),
        "302 login | 403 | 403 | 403 | 403 | 403 | 302 done | 302 mfa",
        data=lambda w: {"title": "Brand new compact", "first_party": "Academy", "second_party": "Leaders"},
        effect=lambda w: Compact.objects.filter(title="Brand new compact").exists(),
    ),
    Action(
        "manage a compact",
        "GET",
        lambda w: reverse("compact:staff_compact", kwargs={"slug": w.a_published.compact.slug}),
        STAFF_PAGE,
    ),
    Action(
        "rename a compact",
        "POST",
        lambda w: reverse("compact:staff_compact", kwargs={"slug": w.b_draft.compact.slug}),
        "302 login | 403 | 403 | 403 | 403 | 403 | 302 done | 302 mfa",
        data=lambda w: {"title": "Renamed compact"},
        effect=lambda w: Compact.objects.filter(title="Renamed compact").exists(),
    ),
    Action(
        "start a new draft",
        "POST",
        lambda w: reverse("compact:staff_start_draft", kwargs={"slug": w.c_ratified.compact.slug}),
        "302 login | 403 | 403 | 403 | 403 | 403 | 302 done | 302 mfa",
        effect=lambda w: w.c_ratified.compact.versions.count() == 2,
    ),
    Action(
        "edit a draft", "GET", lambda w: reverse("compact:staff_version", kwargs=_v(w.b_draft)), STAFF_PAGE
    ),
    Action(
        "change the vision",
        "POST",
        lambda w: reverse("compact:staff_vision", kwargs=_v(w.b_draft)),
        "302 login | 403 | 403 | 403 | 403 | 403 | 302 done | 302 mfa",
        data=lambda w: {"vision": "A new shared vision."},
        effect=lambda w: Version.objects.get(pk=w.b_draft.pk).vision == "A new shared vision.",
    ),
    Action(
        "add a theme",
        "POST",
        lambda w: reverse("compact:staff_part_add", kwargs={**_v(w.b_draft), "kind": "themes"}),
        "302 login | 403 | 403 | 403 | 403 | 403 | 302 done | 302 mfa",
        data=lambda w: {"title": "A brand new theme", "description": ""},
        effect=lambda w: Theme.objects.filter(title="A brand new theme").exists(),
    ),
    Action(
        "change a theme",
        "POST",
        lambda w: _part(w, "staff_part_edit"),
        "302 login | 403 | 403 | 403 | 403 | 403 | 302 done | 302 mfa",
        data=lambda w: {"title": "A renamed theme", "description": ""},
        effect=lambda w: Theme.objects.filter(title="A renamed theme").exists(),
    ),
    Action(
        "move a theme",
        "POST",
        lambda w: _part(w, "staff_part_move"),
        "302 login | 403 | 403 | 403 | 403 | 403 | 302 done | 302 mfa",
        data=lambda w: {"direction": "down"},
        effect=lambda w: _theme(w, 1).position > _theme(w, 2).position,
    ),
    Action(
        "confirm removing a theme",
        "GET",
        _empty_theme,
        STAFF_PAGE,
    ),
    Action(
        "remove a theme",
        "POST",
        _empty_theme,
        "302 login | 403 | 403 | 403 | 403 | 403 | 302 done | 302 mfa",
        effect=lambda w: not w.e_draft.themes.filter(title="An empty theme").exists(),
    ),
    Action("ratify page", "GET", lambda w: reverse("compact:staff_ratify", kwargs=_v(w.b_draft)), STAFF_PAGE),
    Action(
        "ratify",
        "POST",
        lambda w: reverse("compact:staff_ratify", kwargs=_v(w.b_draft)),
        "302 login | 403 | 403 | 403 | 403 | 403 | 302 done | 302 mfa",
        effect=lambda w: Version.objects.get(pk=w.b_draft.pk).status == Version.Status.RATIFIED,
    ),
    Action(
        "publish page", "GET", lambda w: reverse("compact:staff_publish", kwargs=_v(w.c_ratified)), STAFF_PAGE
    ),
    Action(
        "publish",
        "POST",
        lambda w: reverse("compact:staff_publish", kwargs=_v(w.c_ratified)),
        "302 login | 403 | 403 | 403 | 403 | 403 | 302 done | 302 mfa",
        data=lambda w: {"note": "Agreed."},
        effect=lambda w: Version.objects.get(pk=w.c_ratified.pk).status == Version.Status.PUBLISHED,
    ),
    Action(
        "schedule round page",
        "GET",
        lambda w: reverse("consultation:staff_schedule", kwargs=_v(w.b_draft)),
        STAFF_PAGE,
    ),
    Action(
        "schedule a round",
        "POST",
        lambda w: reverse("consultation:staff_schedule", kwargs=_v(w.b_draft)),
        "302 login | 403 | 403 | 403 | 403 | 403 | 302 done | 302 mfa",
        data=lambda w: {
            "title": "Autumn round",
            "opens_at": (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%d %H:%M"),
            "closes_at": (timezone.localtime() + timedelta(days=20)).strftime("%Y-%m-%d %H:%M"),
            "participation": Round.Participation.EVERY_LEADER,
        },
        effect=lambda w: Round.objects.filter(title="Autumn round").exists(),
    ),
    Action(
        "manage a round",
        "GET",
        lambda w: reverse("consultation:staff_round", kwargs={"pk": w.round.pk}),
        STAFF_PAGE,
    ),
    Action(
        "close a round early",
        "POST",
        lambda w: reverse("consultation:staff_round", kwargs={"pk": w.round.pk}),
        "302 login | 403 | 403 | 403 | 403 | 403 | 302 done | 302 mfa",
        data=lambda w: {"action": "close", "reason": "Enough heard."},
        effect=lambda w: Round.objects.get(pk=w.round.pk).status == Round.Status.CLOSED,
    ),
    Action(
        "results to apply",
        "GET",
        lambda w: reverse("consultation:staff_apply", kwargs={"pk": w.d_closed.pk}),
        STAFF_PAGE,
    ),
    Action(
        "apply a round's results",
        "POST",
        lambda w: reverse("consultation:staff_apply", kwargs={"pk": w.d_closed.pk}),
        "302 login | 403 | 403 | 403 | 403 | 403 | 302 done | 302 mfa",
        # The second, confirming step of applying (the first only shows what will happen).
        data=lambda w: {"confirmed": "yes"},
        effect=lambda w: Round.objects.get(pk=w.d_closed.pk).status == Round.Status.APPLIED,
    ),
    Action("moderation queue", "GET", R("consultation:moderation"), STAFF_PAGE),
    Action(
        "hide a comment",
        "POST",
        lambda w: reverse("consultation:moderate", kwargs={"pk": w.comment.pk, "action": "hide"}),
        "302 login | 403 | 403 | 403 | 403 | 403 | 302 done | 302 mfa",
        data=lambda w: {"reason": "Off topic"},
        effect=lambda w: Comment.objects.get(pk=w.comment.pk).hidden_at is not None,
    ),
    Action(
        "all signatures",
        "GET",
        lambda w: reverse("signatories:staff_signatures", kwargs=_v(w.a_published)),
        STAFF_PAGE,
    ),
    Action(
        "all signatures as CSV (with e-mail addresses)",
        "GET",
        lambda w: reverse("signatories:staff_signatures_csv", kwargs=_v(w.a_published)),
        STAFF_PAGE,
    ),
    Action(
        "hide a signature",
        "POST",
        lambda w: reverse("signatories:staff_moderate", kwargs={"pk": w.s2.pk, "action": "hide"}),
        "302 login | 403 | 403 | 403 | 403 | 403 | 302 done | 302 mfa",
        data=lambda w: {"reason": "Not a real person"},
        effect=lambda w: Signature.objects.get(pk=w.s2.pk).status == Signature.Status.HIDDEN,
    ),
    Action(
        "a compact's audit trail",
        "GET",
        lambda w: reverse("audit:compact", kwargs={"slug": w.a_published.compact.slug}),
        STAFF_PAGE,
    ),
    Action("organisations", "GET", R("signatories:staff_organisations"), STAFF_PAGE),
    Action(
        "verify an organisation",
        "POST",
        R("signatories:staff_organisations"),
        "302 login | 403 | 403 | 403 | 403 | 403 | 302 done | 302 mfa",
        data=lambda w: {"organisation": w.s1.organisation_id, "verified": "1"},
        effect=lambda w: Organisation.objects.get(pk=w.s1.organisation_id).is_verified,
    ),
]

CELLS = [
    pytest.param(action, role, cell.strip(), id=f"{action.name}-{role}")
    for action in ACTIONS
    for role, cell in zip(ROLES, action.expected.split("|"), strict=True)
]


@pytest.mark.parametrize("action, role, expected", CELLS)
def test_access_matrix(client, settings, world, action, role, expected):
    settings.STAFF_REQUIRE_MFA = True
    if action.name == "retry a failed PDF":
        PdfExport.objects.create(version=world.a_published, status=PdfExport.Status.FAILED)
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    url = action.url(world)
    if action.method == "GET":
        response = client.get(url)
    else:
        response = client.post(url, action.data(world) if action.data else {})

    status, _, tag = expected.partition(" ")
    assert response.status_code == int(status), f"{action.name} as {role}"
    if tag == "login":
        assert response["Location"].startswith(reverse("account_login"))
    elif tag == "mfa":
        assert response["Location"] == reverse("mfa_activate_totp")
    if action.effect is not None:
        assert action.effect(world) == (tag == "done"), f"{action.name} as {role}: changed = {tag == 'done'}"
    if action.reveals is not None and response.status_code == 200:
        assert action.reveals(response) == (tag == "sees"), f"{action.name} as {role}: sees = {tag == 'sees'}"
