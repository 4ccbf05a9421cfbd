"""A published version has a review date; staff and signatories are reminded a month before, once."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from compact import services
from tests.factories import draft_version
from tests.mailbox import delivered
from tests.signatories.factories import SignatureFactory

pytestmark = pytest.mark.django_db


def publish(staff, **kwargs):
    version = draft_version()
    services.ratify(actor=staff, version=version)
    return services.publish(actor=staff, version=version, note="Published", **kwargs)


def test_publishing_sets_a_review_date_a_year_ahead_by_default(staff):
    version = publish(staff)
    assert version.review_due_on == (timezone.now() + timedelta(days=365)).date()


def test_reminders_go_a_month_before_the_review_date_and_only_once(staff, mailoutbox):
    version = publish(staff, review_due_on=date(2027, 6, 30))
    signature = SignatureFactory(version=version)
    mailoutbox.clear()
    assert services.remind_reviews(today=date(2027, 5, 1)) == 0
    assert services.remind_reviews(today=date(2027, 6, 1)) == 1
    assert sorted(m.to[0] for m in delivered()) == sorted([staff.email, signature.signer.email])
    assert services.remind_reviews(today=date(2027, 6, 2)) == 0
    assert len(delivered()) == 2


def test_staff_see_compacts_due_for_review(staff_client, staff):
    version = publish(staff, review_due_on=timezone.localdate() + timedelta(days=10))
    page = staff_client.get(reverse("compact:staff_dashboard")).content.decode()
    assert "Due for review" in page and version.compact.title in page


def test_staff_choose_the_review_date_when_publishing(staff_client):
    version = draft_version()
    kwargs = {"slug": version.compact.slug, "number": version.number}
    staff_client.post(reverse("compact:staff_ratify", kwargs=kwargs))
    staff_client.post(
        reverse("compact:staff_publish", kwargs=kwargs), {"note": "First", "review_due_on": "2027-03-31"}
    )
    version.refresh_from_db()
    assert version.review_due_on == date(2027, 3, 31)
