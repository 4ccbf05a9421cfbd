"""The kinds of e-mail a person controls, and what each does until they choose.

Defaults: what is about *you* (a reply to you, the decision on your proposal, a compact you
signed changing) arrives at once, and so do round notices: there are two per round (it opens; two
days left), and a digest could eat half of the two days. What can be busy (things you follow, the
moderation queue) comes in the daily digest, so nobody is flooded by default. Nothing is off
by default: a person who never visits the settings still hears what they took part in. A
reminder that staff send to those who have not answered every question of an open round is
straight away or off, never in a digest (`NO_DIGEST`).
"""

from django.db import models


class Kind(models.TextChoices):
    ROUND = "round", "A consultation round opens or is closing soon"
    REPLY = "reply", "Someone replies to my comment or comments on my proposal"
    DECISION = "decision", "The decision on my proposal"
    COMPACT = "compact", "A compact I signed is refreshed or due for review"
    FOLLOWING = "following", "New proposals and comments on things I follow"
    MODERATION = "moderation", "New reports to moderate (staff)"
    REVIEW = "review", "A compact is due for review (staff)"
    NOT_YET_VOTED = (
        "not_yet_voted",
        "A reminder, from staff, that I have not answered every question in a round",
    )


# What each kind's e-mails are about, as words that follow "Stop e-mails about …": the labels
# above are conditions ("Someone replies to …") that read wrongly there.
ABOUT: dict[str, str] = {
    Kind.ROUND: "consultation rounds opening or closing soon",
    Kind.REPLY: "replies to your comments and comments on your proposals",
    Kind.DECISION: "decisions on your proposals",
    Kind.COMPACT: "compacts you signed being refreshed or due for review",
    Kind.FOLLOWING: "new proposals and comments on things you follow",
    Kind.MODERATION: "new reports to moderate",
    Kind.REVIEW: "compacts due for review",
    Kind.NOT_YET_VOTED: "reminders to answer every question in a round",
}


class Mode(models.TextChoices):
    IMMEDIATE = "immediate", "Straight away"
    DIGEST = "digest", "In a daily digest"
    OFF = "off", "Off"


DEFAULTS: dict[str, str] = {
    Kind.ROUND: Mode.IMMEDIATE,
    Kind.REPLY: Mode.IMMEDIATE,
    Kind.DECISION: Mode.IMMEDIATE,
    Kind.COMPACT: Mode.IMMEDIATE,
    Kind.FOLLOWING: Mode.DIGEST,
    Kind.MODERATION: Mode.DIGEST,
    Kind.REVIEW: Mode.IMMEDIATE,
    Kind.NOT_YET_VOTED: Mode.IMMEDIATE,
}

# Only staff moderate and review, so only staff see (and receive) those kinds.
STAFF_ONLY = {Kind.MODERATION, Kind.REVIEW}

# Kinds that are straight away or not at all: a reminder to vote that waits for tomorrow's digest
# comes a day late, perhaps after the round has closed.
NO_DIGEST = {Kind.NOT_YET_VOTED}


def modes_for(kind: str) -> list[tuple[str, str]]:
    """The choices a person has for one kind, as (value, label), for the settings page and the
    check that saves them."""
    return [(m.value, m.label) for m in Mode if not (m == Mode.DIGEST and kind in NO_DIGEST)]


# The daily digest's own unsubscribe: switches every kind now set to the digest off.
DIGEST = "digest"


def label_in_sentence(kind: str) -> str:
    """What a kind's e-mails are about, as words that follow "Stop e-mails about …" in a footer or
    on the unsubscribe page ("replies to your comments and comments on your proposals")."""
    return "the daily digest" if kind == DIGEST else ABOUT[Kind(kind)]
