"""The moderation queue lists only what is waiting for a moderator, the longest-waiting first."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from consultation import services
from consultation.models import Report
from tests.factories import LeaderFactory

from .factories import open_round

pytestmark = pytest.mark.django_db


def test_queue_lists_only_comments_with_unresolved_reports_oldest_first_with_their_count(staff_client, staff):
    round = open_round(staff=staff)
    author, reporter, other_reporter = LeaderFactory(), LeaderFactory(), LeaderFactory()
    unreported = services.post_comment(actor=author, round=round, body="Nobody minds this one.")
    dismissed = services.post_comment(actor=author, round=round, body="Reported, then dismissed.")
    services.report_comment(actor=reporter, comment=dismissed, reason="Off topic")
    services.dismiss_reports(actor=staff, comment=dismissed)
    newer = services.post_comment(actor=author, round=round, body="Reported just now.")
    services.report_comment(actor=reporter, comment=newer, reason="Rude")
    older = services.post_comment(actor=author, round=round, body="Reported yesterday, twice.")
    services.report_comment(actor=reporter, comment=older, reason="Personal")
    services.report_comment(actor=other_reporter, comment=older, reason="Unkind")
    Report.objects.filter(comment=older).update(created_at=timezone.now() - timedelta(days=1))

    page = staff_client.get(reverse("consultation:moderation")).content.decode()

    assert unreported.body not in page and dismissed.body not in page
    assert "0 reports" not in page
    assert page.index(older.body) < page.index(newer.body)
    assert "2 reports, the first on" in page and "1 report, the first on" in page
    assert "2 comments are waiting" in page


def test_hiding_without_a_reason_is_shown_beside_that_comments_field(staff_client, staff):
    round = open_round(staff=staff)
    comment = services.post_comment(actor=LeaderFactory(), round=round, body="Unkind.")
    services.report_comment(actor=LeaderFactory(), comment=comment, reason="Personal")
    response = staff_client.post(
        reverse("consultation:moderate", kwargs={"pk": comment.pk, "action": "hide"}), {"reason": ""}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert f'<a href="#hide-reason-{comment.pk}">Give the reason for hiding the comment' in page
    assert f'id="hide-reason-{comment.pk}-error"' in page
    comment.refresh_from_db()
    assert not comment.is_hidden
