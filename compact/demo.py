"""The demo compact: written for this project, in the voice of a real leadership compact."""

from pathlib import Path

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from accounts.roles import ACADEMY_STAFF_GROUP

from . import services
from .interchange import import_compact
from .models import Commitment, Compact, Theme

DEMO_PASSWORD = "compact-demo-2026"  # noqa: S105 - printed for the demo on purpose
DEMO_SLUG = "leadership-compact"

ACADEMY = "The Academy and national bodies"
LEADERS = "Leaders and their organisations"

VISION = (
    "Every leader in our health system is supported to lead with compassion, so that the people "
    "they lead can give patients the care they would want for their own families."
)

SECTIONS = [
    (
        "why",
        "Why we need a compact",
        "Leaders tell us they feel responsible for everything and supported in little. Promises made "
        "to them have been unclear, and what is asked of them changes without warning. A compact sets "
        "out, in plain words, what each side gives and what each can expect in return.",
    ),
    (
        "sustain",
        "How we will keep it alive",
        "We will review the compact every year with the leaders who signed it, reflect together on "
        "what we have kept and what we have not, and refresh the words when they no longer fit.",
    ),
]

THEMES = [
    (
        "Creating the right environment",
        "The conditions leaders need to lead well.",
        [
            (
                ACADEMY,
                "We will give leaders the time, space and resources to develop themselves and their teams.",
            ),
            (ACADEMY, "We will make sure national requests are joined up and come with fair notice."),
            (ACADEMY, "We will value wellbeing and make it safe for leaders to ask for support."),
            (LEADERS, "We will create a culture in which our staff feel safe to speak up."),
            (LEADERS, "We will protect time for our own development and for that of our teams."),
            (LEADERS, "We will look after our own wellbeing and that of our colleagues."),
        ],
    ),
    (
        "Listening and communicating",
        "How we talk to each other, and how we listen.",
        [
            (ACADEMY, "We will listen to leaders before we decide, and explain what we heard."),
            (ACADEMY, "We will communicate openly and in good time, without jargon."),
            (ACADEMY, "We will tell leaders what changed as a result of their feedback."),
            (LEADERS, "We will give honest feedback on national programmes, good and bad."),
            (LEADERS, "We will share what we learn with other leaders across the system."),
            (LEADERS, "We will take part in consultations on this compact and encourage others to."),
        ],
    ),
    (
        "Developing leaders",
        "Growing the leaders we have and the leaders we need.",
        [
            (ACADEMY, "We will offer development for leaders at every stage of their careers."),
            (ACADEMY, "We will make our programmes inclusive and open to people from every background."),
            (ACADEMY, "We will support leaders through transitions into new and bigger roles."),
            (LEADERS, "We will identify and nurture talent in our organisations."),
            (LEADERS, "We will mentor and coach others, and ask for mentoring ourselves."),
        ],
    ),
    (
        "Working together across the system",
        "Partnership beyond organisational boundaries.",
        [
            (ACADEMY, "We will bring leaders together across organisations to solve shared problems."),
            (ACADEMY, "We will recognise and celebrate collaboration, not only individual performance."),
            (LEADERS, "We will work with partners across health and care for the good of our populations."),
            (
                LEADERS,
                "We will put the interests of patients and communities above those of our organisations.",
            ),
        ],
    ),
    (
        "Holding each other to account",
        "Keeping our promises, and saying when we have not.",
        [
            (ACADEMY, "We will report each year on how we have kept our commitments in this compact."),
            (ACADEMY, "We will respond without blame when leaders raise a concern about this compact."),
            (LEADERS, "We will reflect honestly on how we are keeping our commitments."),
            (LEADERS, "We will raise concerns early, so they can be resolved together."),
        ],
    ),
]

PEOPLE = [
    (
        "staff@example.org",
        "Sam Okafor",
        "Head of leadership programmes",
        "The Leadership Academy",
        True,
        "academy staff: drafts, opens rounds, moderates, ratifies, publishes",
    ),
    (
        "leader@example.org",
        "Priya Shah",
        "Chief executive",
        "Northfield NHS Foundation Trust",
        False,
        "leader: comments, proposes and votes in rounds; signs the compact",
    ),
    (
        "leader2@example.org",
        "Tom Brennan",
        "Director of nursing",
        "Riverside Integrated Care Board",
        False,
        "leader",
    ),
    (
        "leader3@example.org",
        "Aisha Rahman",
        "Medical director",
        "Eastmoor Community Health NHS Trust",
        False,
        "leader",
    ),
]


def demo_person(email, full_name, job_title, organisation, staff):
    User = get_user_model()
    user, created = User.objects.get_or_create(
        email=email,
        defaults={"full_name": full_name, "job_title": job_title, "organisation_name": organisation},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    if staff:
        user.groups.add(Group.objects.get(name=ACADEMY_STAFF_GROUP))
    return user


def load(context):
    people = {
        email: demo_person(email, name, title, organisation, staff)
        for email, name, title, organisation, staff, _ in PEOPLE
    }
    staff = people["staff@example.org"]
    context.update(
        password=DEMO_PASSWORD,
        logins=[(email, description) for email, *_, description in PEOPLE],
        staff=staff,
        leaders=[people[e] for e in ("leader@example.org", "leader2@example.org", "leader3@example.org")],
    )
    compact = Compact.objects.filter(slug=DEMO_SLUG).first()
    if compact is None:
        compact = _write_compact(staff)
    context["compact"] = compact
    context["published"] = compact.versions.published().first()
    context["draft"] = compact.versions.in_progress().first()
    context["first_draft"] = compact.versions.filter(number=1).first()
    load_partnership(context)


def _write_compact(staff):
    compact = services.create_compact(
        actor=staff,
        title="The Leadership Compact",
        summary=(
            "What the Academy and national bodies, and leaders and their organisations, promise each other."
        ),
        vision=VISION,
        party_names=[ACADEMY, LEADERS],
    )
    compact.slug = DEMO_SLUG
    compact.save(update_fields=["slug"])
    version = compact.versions.get()
    parties = {party.name: party for party in version.parties.all()}
    for kind, heading, body in SECTIONS:
        services.add_part(
            actor=staff, version=version, model=services.Section, kind=kind, heading=heading, body=body
        )
    for title, description, commitments in THEMES:
        theme = services.add_part(
            actor=staff, version=version, model=Theme, title=title, description=description
        )
        for party_name, text in commitments:
            services.add_part(
                actor=staff,
                version=version,
                model=Commitment,
                theme=theme,
                party=parties[party_name],
                text=text,
            )
    # Version 1 stays a draft here: the consultation demo takes it through a first round to the
    # published version 2, so the compact's history shows leaders' wording replacing staff's.
    return compact


# --- A second compact, in paired rows, imported from its outline ----------------------------------
PARTNERSHIP_SLUG = "local-partnership-compact"
PARTNERSHIP_FILE = Path(__file__).parent / "demo_compacts" / "partnership.md"


def load_partnership(context):
    """A local partnership compact: what each side gives, row by row, imported as staff would
    (through the outline importer), then ratified and published. Skipped if it is there."""
    if Compact.objects.filter(slug=PARTNERSHIP_SLUG).exists():
        return
    staff = context["staff"]
    version = import_compact(actor=staff, text=PARTNERSHIP_FILE.read_text(encoding="utf-8"))
    compact = version.compact
    compact.slug = PARTNERSHIP_SLUG
    compact.save(update_fields=["slug"])
    services.ratify(actor=staff, version=version)
    services.publish(actor=staff, version=version, note="Agreed by the partnership board.")
