"""Comments: posting, replying, editing, deleting and reporting one for moderation."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.ratelimits import rate_limited
from compact.models import Commitment, Theme
from core.errors import DomainError

from .. import services
from ..forms import CommentForm, ReasonForm
from ..models import Comment, Proposal
from .common import base_context, readable_round


def _comment_subject(round, target, subject_id):
    if target == Comment.Target.THEME:
        return {"theme": get_object_or_404(Theme, pk=subject_id, version_id=round.version_id)}
    if target == Comment.Target.COMMITMENT:
        return {"commitment": get_object_or_404(Commitment, pk=subject_id, version_id=round.version_id)}
    if target == Comment.Target.PROPOSAL:
        return {"proposal": get_object_or_404(Proposal, pk=subject_id, round=round)}
    return {}


def _subject_url(round, comment):
    return comment.subject_url()


@login_required
@rate_limited("comment")
@require_POST
def post_comment(request, round_pk):
    round = readable_round(request, round_pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        parent = get_object_or_404(Comment, pk=data["parent"], round=round) if data.get("parent") else None
        # A reply takes its subject from the thread it joins.
        subject = {} if parent else _comment_subject(round, data["target"], data.get("subject"))
        try:
            comment = services.post_comment(
                actor=request.user,
                round=round,
                body=data["body"],
                target=data["target"],
                parent=parent,
                **subject,
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Your comment is posted.")
            return redirect(f"{_subject_url(round, comment)}#{comment.anchor()}")
    # Whatever went wrong, the person's words come back to them in the form.
    return render(
        request, "consultation/comment_form.html", {**base_context(request, round), "form": form}, status=400
    )


@login_required
def edit_comment(request, round_pk, pk):
    round = readable_round(request, round_pk)
    comment = get_object_or_404(Comment, pk=pk, round=round, author=request.user)
    form = CommentForm(request.POST or None, initial={"body": comment.body, "target": comment.target})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.edit_comment(actor=request.user, comment=comment, body=form.cleaned_data["body"])
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, "Saved your comment.")
                return redirect(f"{_subject_url(round, comment)}#{comment.anchor()}")
    return render(
        request,
        "consultation/comment_form.html",
        {**base_context(request, round), "form": form, "comment": comment},
        status=status,
    )


@login_required
def delete_comment(request, round_pk, pk):
    round = readable_round(request, round_pk)
    comment = get_object_or_404(Comment, pk=pk, round=round, author=request.user)
    if request.method == "POST":
        try:
            services.delete_comment(actor=request.user, comment=comment)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, "Your comment is deleted. A note that it was deleted stays in the thread."
            )
        return redirect(f"{_subject_url(round, comment)}#{comment.anchor()}")
    return render(
        request,
        "consultation/confirm.html",
        {
            **base_context(request, round),
            "heading": "Delete your comment?",
            "explanation": "Your words will be removed. A note saying a comment was deleted stays, so replies still make sense.",
            "button": "Delete the comment",
            "cancel_url": f"{_subject_url(round, comment)}#{comment.anchor()}",
            "quoted_html": comment.body_html,
        },
    )


@login_required
def report_comment(request, round_pk, pk):
    round = readable_round(request, round_pk)
    comment = get_object_or_404(Comment, pk=pk, round=round)
    form = ReasonForm(request.POST or None)
    form.fields["reason"].label = "What is wrong with this comment?"
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.report_comment(
                    actor=request.user, comment=comment, reason=form.cleaned_data["reason"]
                )
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, "Thank you. The moderators will look at this comment.")
                return redirect(f"{_subject_url(round, comment)}#{comment.anchor()}")
    return render(
        request,
        "consultation/report.html",
        {
            **base_context(request, round),
            "form": form,
            "comment": comment,
            "back_url": f"{_subject_url(round, comment)}#{comment.anchor()}",
        },
        status=status,
    )
