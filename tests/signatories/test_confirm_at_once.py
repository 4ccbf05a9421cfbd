"""On PostgreSQL a personal signature's link is confirmed by one UPDATE that returns the signature
with its version and compact; everything else goes the longer way, which says what is wrong."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import AuditEvent
from compact.models import Version
from signatories import services
from signatories.models import Signature
from tests.factories import LeaderFactory, StaffFactory, published_version

from .factories import OrganisationFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture
def version():
    return published_version(staff=StaffFactory())


@pytest.fixture
def pending(version, mailoutbox, django_capture_on_commit_callbacks):
    """Sign: the pending signature and the token its e-mail carries."""

    def sign(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):  # the e-mail goes after the commit
            signature = services.sign(
                actor=LeaderFactory(),
                version=version,
                full_name="Ada Lovelace",
                role="Chair",
                consent=True,
                **kwargs,
            )
        token = mailoutbox[-1].body.split("/signatures/confirm/", 1)[1].split("/", 1)[0]
        return signature, token

    return sign


def test_a_personal_signature_is_confirmed_in_one_statement(
    version, pending, django_capture_on_commit_callbacks
):
    signature, token = pending()
    changes = []

    def receiver(sender, version, **kwargs):
        changes.append(version.pk)

    services.signatures_changed.connect(receiver, dispatch_uid="t1")
    try:
        # The commit's callbacks (the PDF owed, the page bumped) run after the queries counted.
        with django_capture_on_commit_callbacks(execute=True), CaptureQueriesContext(connection) as queries:
            confirmed = services.confirm(token=token)
    finally:
        services.signatures_changed.disconnect(dispatch_uid="t1")

    assert not any("FOR UPDATE" in query["sql"] for query in queries.captured_queries)
    assert sum(query["sql"].startswith("UPDATE") for query in queries.captured_queries) == 1
    stored = Signature.objects.get(pk=signature.pk)
    assert stored.status == confirmed.status == Signature.Status.CONFIRMED
    assert (
        stored.confirmed_at == confirmed.confirmed_at
        and stored.token_hash == ""
        and stored.token_expires_at is None
    )
    # What the statement returned is what the ORM would have read, converted alike (JSON, dates).
    fresh = Version.objects.select_related("compact").get(pk=version.pk)
    for field in Version._meta.concrete_fields:
        assert getattr(confirmed.version, field.attname) == getattr(fresh, field.attname), field.name
    assert confirmed.version.compact.title == fresh.compact.title and confirmed.organisation is None
    assert confirmed.signer == signature.signer
    event = AuditEvent.objects.get(action="confirm signature")
    assert event.compact_id == version.compact_id and event.actor_id == signature.signer_id
    assert changes == [version.pk]


def test_a_link_used_or_expired_goes_the_longer_way_and_says_so(pending):
    _, token = pending()
    services.confirm(token=token)
    with pytest.raises(services.DomainError, match="already been used"):
        services.confirm(token=token)

    expired, token = pending()
    Signature.objects.filter(pk=expired.pk).update(token_expires_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(services.LinkExpired):
        services.confirm(token=token)
    assert Signature.objects.get(pk=expired.pk).status == Signature.Status.PENDING


def test_a_signature_for_an_organisation_still_waits_for_it(pending):
    signature, token = pending(organisation=OrganisationFactory())
    assert services.confirm(token=token).status == Signature.Status.AWAITING_ORGANISATION
    assert Signature.objects.get(pk=signature.pk).status == Signature.Status.AWAITING_ORGANISATION
