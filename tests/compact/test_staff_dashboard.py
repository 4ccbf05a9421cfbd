"""The staff dashboard says what needs doing, each with a count and a link to where it is done."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from compact.models import PdfExport
from consultation import services
from tests.consultation.factories import open_round
from tests.factories import LeaderFactory, published_version

pytestmark = pytest.mark.django_db


def test_dashboard_counts_and_links_what_needs_doing(staff_client, staff):
    soon = open_round(staff=staff, title="Closing tomorrow", days=1)
    later = open_round(staff=staff, title="Closing next month", days=30)
    done = open_round(staff=staff, title="Closed, to apply")
    services.close_round(round=done, actor=staff, reason="Board date")
    author, reporter = LeaderFactory(), LeaderFactory()
    comment = services.post_comment(actor=author, round=later, body="Rude.")
    services.report_comment(actor=reporter, comment=comment, reason="Personal")
    services.post_comment(actor=author, round=later, body="Fine.")
    failed = published_version(staff=staff)
    PdfExport.objects.filter(version=failed).delete()
    PdfExport.objects.create(version=failed, status=PdfExport.Status.FAILED, error="Pango missing")
    due = published_version(staff=staff)
    type(due).objects.filter(pk=due.pk).update(review_due_on=timezone.localdate() + timedelta(days=3))

    page = staff_client.get(reverse("compact:staff_dashboard")).content.decode()

    assert "Reported comments: 1" in page
    assert f'href="{reverse("consultation:moderation")}">Moderation queue</a>' in page
    assert "Rounds open: 2" in page and "1 closing within 48 hours." in page
    assert (
        f'href="{reverse("consultation:staff_round", kwargs={"pk": soon.pk})}">Closing tomorrow</a>' in page
    )
    assert "Results to apply: 1" in page
    assert f'href="{reverse("consultation:staff_apply", kwargs={"pk": done.pk})}">' in page
    assert "PDFs that failed: 1" in page and f'href="{failed.get_absolute_url()}"' in page
    assert "Due for review: 1" in page and due.compact.title in page


def test_a_quiet_day_shows_zero_counts_and_still_links_the_moderation_queue(staff_client):
    page = staff_client.get(reverse("compact:staff_dashboard")).content.decode()
    assert "Reported comments: 0" in page and "Moderation queue" in page
    assert "Rounds open: 0" in page and "Results to apply: 0" in page and "PDFs that failed: 0" in page


def test_signatures_waiting_for_a_check_are_counted_and_linked(staff_client, staff):
    from signatories.models import Signature
    from tests.signatories.factories import OrganisationFactory, SignatureFactory

    version = published_version(staff=staff)
    SignatureFactory.create_batch(
        2, version=version, organisation=OrganisationFactory(), status=Signature.Status.AWAITING_ORGANISATION
    )
    SignatureFactory(version=version, needs_review=True)
    page = staff_client.get(reverse("compact:staff_dashboard")).content.decode()
    assert "Signatures to check: 3" in page
    assert "2 waiting for their organisation to be verified, 1 flagged for a closer look." in page
    assert f'href="{reverse("signatories:staff_queue")}">Signatures to check</a>' in page
