"""Staff see how many e-mails failed every retry, and send them again from the dashboard; an
e-mail's HTML part reads well at desktop and phone widths."""

import pytest

from tests.browser.conftest import shot
from tests.browser.test_journeys import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def _shot(visitor, name):
    shot(visitor.page, f"outbox-{name}", javascript=visitor.javascript)


def test_staff_see_failed_mail_and_send_it_again(visitor, demo):
    from notifications.models import Outgoing

    for n in range(2):
        Outgoing.objects.create(
            key=f"test:{n}",
            kind="round-opened",
            to=f"gone{n}@example.org",
            subject="[Leadership Compact] Have your say",
            body_text="Hello",
            status=Outgoing.Status.FAILED,
            attempts=6,
            last_error="SMTPRecipientsRefused",
        )
    page = visitor.page
    sign_in(visitor, "staff@example.org")
    visitor.go("/staff/")
    assert "E-mails that failed: 2" in page.content()
    assert "2 e-mails were not sent after every retry" in page.content()
    _shot(visitor, "dashboard-failed-mail")
    visitor.click(page.get_by_role("button", name="Send failed e-mails again"))
    assert "Sending 2 failed e-mails again." in page.content()
    assert "E-mails that failed: 0" in page.content()
    assert not Outgoing.objects.filter(status=Outgoing.Status.FAILED).exists()


def test_an_emails_html_part_reads_well_on_a_desktop_and_a_phone(visitor, settings):
    from notifications import outbox
    from tests.consultation.factories import open_round
    from tests.factories import StaffFactory

    round = open_round(staff=StaffFactory())
    rendered = outbox.render(
        template="consultation/email/round_opened",
        subject="Have your say",
        context={"round": round, "person": None, "url": settings.SITE_URL + round.get_absolute_url()},
    )
    visitor.page.set_content(rendered.html)
    assert "Have your say" in visitor.page.inner_text("body")
    _shot(visitor, "email-round-opened")
