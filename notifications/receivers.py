"""How notifications answers consultation's domain signals. The objects arrive with the signal;
this app reads their public attributes and URLs and never imports consultation's models."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.text import Truncator

from accounts.roles import MANAGE_PERMISSION
from consultation.signals import comment_posted, comment_reported, proposal_submitted

from . import selectors, services
from .kinds import Kind


def _name(user):
    return (getattr(user, "full_name", "") or "Someone") if user else "Someone"


def _theme_of(item):
    """The theme a comment or proposal is under: its own, or its commitment's."""
    if item.theme_id:
        return item.theme_id
    return item.commitment.theme_id if item.commitment_id else None


def _followed(*, round_id, commitment_id=None, theme_id=None):
    targets = [selectors.target_key("round", round_id)]
    if commitment_id:
        targets.append(selectors.target_key("commitment", commitment_id))
    if theme_id:
        targets.append(selectors.target_key("theme", theme_id))
    return targets


def tell_of_comment(sender, comment, **kwargs):
    actor_id = comment.author_id
    round = comment.round
    # The comment itself, not the round: the reader wants to see what was said, and answer it.
    url = settings.SITE_URL + comment.get_absolute_url()
    excerpt = Truncator(comment.body).words(60)
    key = f"comment:{comment.pk}"
    told = {actor_id}
    # A reply to my comment, or a comment on my proposal: the REPLY kind.
    if comment.parent_id and comment.parent.author_id and comment.parent.author_id not in told:
        services.notify(
            kind=Kind.REPLY,
            users=[comment.parent.author],
            key=key,
            subject=f"{_name(comment.author)} replied to your comment in {round.title}",
            body=excerpt,
            url=url,
        )
        told.add(comment.parent.author_id)
    proposal = comment.proposal
    if proposal is not None and proposal.author_id and proposal.author_id not in told:
        services.notify(
            kind=Kind.REPLY,
            users=[proposal.author],
            key=key,
            subject=f"{_name(comment.author)} commented on your proposal #{proposal.pk}",
            body=excerpt,
            url=url,
        )
        told.add(proposal.author_id)
    followers = selectors.followers(
        targets=_followed(round_id=round.pk, commitment_id=comment.commitment_id, theme_id=_theme_of(comment))
    ).exclude(pk__in=[pk for pk in told if pk])
    services.notify(
        kind=Kind.FOLLOWING,
        users=followers,
        key=key,
        subject=f"New comment in {round.title}",
        body=excerpt,
        url=url,
    )


def tell_of_proposal(sender, proposal, **kwargs):
    round = proposal.round
    followers = selectors.followers(
        targets=_followed(
            round_id=round.pk, commitment_id=proposal.commitment_id, theme_id=_theme_of(proposal)
        )
    )
    if proposal.author_id:
        followers = followers.exclude(pk=proposal.author_id)
    services.notify(
        kind=Kind.FOLLOWING,
        users=followers,
        key=f"proposal:{proposal.pk}",
        subject=f"New proposal in {round.title}: {proposal.get_kind_display().lower()}",
        body=Truncator(proposal.text or proposal.rationale).words(60),
        url=settings.SITE_URL + proposal.get_absolute_url(),
    )


def tell_moderators(sender, report, **kwargs):
    app_label, codename = MANAGE_PERMISSION.split(".")
    staff = (
        get_user_model()
        .objects.filter(
            is_active=True,
            groups__permissions__codename=codename,
            groups__permissions__content_type__app_label=app_label,
        )
        .distinct()
    )
    comment = report.comment
    services.notify(
        kind=Kind.MODERATION,
        users=staff,
        key=f"report:{report.pk}",
        subject=f"A comment in {comment.round.title} was reported",
        body=Truncator(report.reason).words(60),
        url=settings.SITE_URL + comment.round.get_absolute_url(),
    )


def connect():
    comment_posted.connect(tell_of_comment, dispatch_uid="notifications.tell_of_comment")
    proposal_submitted.connect(tell_of_proposal, dispatch_uid="notifications.tell_of_proposal")
    comment_reported.connect(tell_moderators, dispatch_uid="notifications.tell_moderators")
