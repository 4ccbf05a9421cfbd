from django.urls import path

from .views import comments, participation, proposals, questions, results, rounds, staff

app_name = "consultation"

round_prefix = "rounds/<int:round_pk>/"

urlpatterns = [
    path("rounds/<int:pk>/", rounds.round_detail, name="round"),
    path(round_prefix + "discussion/", rounds.discussion, name="discussion"),
    path(round_prefix + "themes/<int:theme_pk>/", rounds.discussion, name="theme"),
    path(round_prefix + "commitments/<int:pk>/", questions.commitment_detail, name="commitment"),
    path(round_prefix + "proposals/new/", proposals.propose, name="propose"),
    path(round_prefix + "proposals/<int:pk>/", questions.proposal_detail, name="proposal"),
    path(round_prefix + "proposals/<int:pk>/edit/", proposals.edit_proposal, name="proposal_edit"),
    path(
        round_prefix + "proposals/<int:pk>/withdraw/", proposals.withdraw_proposal, name="proposal_withdraw"
    ),
    path(round_prefix + "votes/", questions.vote, name="vote"),
    path(round_prefix + "comments/", comments.post_comment, name="comment"),
    path(round_prefix + "comments/<int:pk>/edit/", comments.edit_comment, name="comment_edit"),
    path(round_prefix + "comments/<int:pk>/delete/", comments.delete_comment, name="comment_delete"),
    path(round_prefix + "comments/<int:pk>/report/", comments.report_comment, name="comment_report"),
    path(round_prefix + "results/", results.results, name="results"),
    path(round_prefix + "results.csv", results.results_csv, name="results_csv"),
    path(
        "staff/compacts/<slug:slug>/versions/<int:number>/rounds/new/",
        staff.ScheduleRoundView.as_view(),
        name="staff_schedule",
    ),
    path("staff/rounds/<int:pk>/", staff.RoundManageView.as_view(), name="staff_round"),
    path("staff/rounds/<int:pk>/close/", staff.CloseRoundView.as_view(), name="staff_close"),
    path("staff/rounds/<int:pk>/apply/", staff.ApplyResultsView.as_view(), name="staff_apply"),
    path(
        "staff/rounds/<int:pk>/participation/",
        participation.ParticipationView.as_view(),
        name="staff_participation",
    ),
    path("staff/rounds/<int:pk>/remind/", participation.RemindView.as_view(), name="staff_remind"),
    path("staff/moderation/", staff.ModerationQueueView.as_view(), name="moderation"),
    path(
        "staff/moderation/comments/<int:pk>/<str:action>/",
        staff.ModerateCommentView.as_view(),
        name="moderate",
    ),
]
