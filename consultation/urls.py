from django.urls import path

from . import staff_views, views

app_name = "consultation"

round_prefix = "rounds/<int:round_pk>/"

urlpatterns = [
    path("rounds/<int:pk>/", views.round_detail, name="round"),
    path(round_prefix + "discussion/", views.discussion, name="discussion"),
    path(round_prefix + "themes/<int:theme_pk>/", views.discussion, name="theme"),
    path(round_prefix + "commitments/<int:pk>/", views.commitment_detail, name="commitment"),
    path(round_prefix + "proposals/new/", views.propose, name="propose"),
    path(round_prefix + "proposals/<int:pk>/", views.proposal_detail, name="proposal"),
    path(round_prefix + "proposals/<int:pk>/edit/", views.edit_proposal, name="proposal_edit"),
    path(round_prefix + "proposals/<int:pk>/withdraw/", views.withdraw_proposal, name="proposal_withdraw"),
    path(round_prefix + "votes/", views.vote, name="vote"),
    path(round_prefix + "comments/", views.post_comment, name="comment"),
    path(round_prefix + "comments/<int:pk>/edit/", views.edit_comment, name="comment_edit"),
    path(round_prefix + "comments/<int:pk>/delete/", views.delete_comment, name="comment_delete"),
    path(round_prefix + "comments/<int:pk>/report/", views.report_comment, name="comment_report"),
    path(round_prefix + "results/", views.results, name="results"),
    path(round_prefix + "results.csv", views.results_csv, name="results_csv"),
    path(
        "staff/compacts/<slug:slug>/versions/<int:number>/rounds/new/",
        staff_views.ScheduleRoundView.as_view(),
        name="staff_schedule",
    ),
    path("staff/rounds/<int:pk>/", staff_views.RoundManageView.as_view(), name="staff_round"),
    path("staff/rounds/<int:pk>/close/", staff_views.CloseRoundView.as_view(), name="staff_close"),
    path("staff/rounds/<int:pk>/apply/", staff_views.ApplyResultsView.as_view(), name="staff_apply"),
    path("staff/moderation/", staff_views.ModerationQueueView.as_view(), name="moderation"),
    path(
        "staff/moderation/comments/<int:pk>/<str:action>/",
        staff_views.ModerateCommentView.as_view(),
        name="moderate",
    ),
]
