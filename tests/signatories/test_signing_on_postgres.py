"""Double submits on PostgreSQL with real threads: the database, not luck, keeps one signature."""

import threading

import pytest
from django.db import connections

from signatories import services
from signatories.models import Signature
from tests.factories import LeaderFactory, StaffFactory, published_version


def _two_at_once(work):
    """Run work() in two threads released together; return what each raised (None if nothing)."""
    barrier = threading.Barrier(2)
    outcomes = [None, None]

    def run(index):
        try:
            barrier.wait()
            work()
        except Exception as error:
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_submits_at_once_leave_exactly_one_active_signature():
    version = published_version(staff=StaffFactory())
    leader = LeaderFactory()

    outcomes = _two_at_once(
        lambda: services.sign(actor=leader, version=version, full_name="Ada", role="Chair", consent=True)
    )

    assert Signature.objects.active().filter(version=version, signer=leader).count() == 1
    refused = [error for error in outcomes if error is not None]
    assert len(refused) == 1 and isinstance(refused[0], services.AlreadySigned)
    assert str(refused[0]).startswith("You already signed on")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_link_posted_twice_at_once_confirms_once(mailoutbox):
    version = published_version(staff=StaffFactory())
    leader = LeaderFactory()
    signature = services.sign(actor=leader, version=version, full_name="Ada", role="Chair", consent=True)
    token = mailoutbox[-1].body.split("/signatures/confirm/", 1)[1].split("/", 1)[0]
    confirmations = []

    def receiver(sender, version, **kwargs):
        confirmations.append(version.pk)

    services.signatures_changed.connect(receiver, dispatch_uid="test-confirm-race")
    try:
        outcomes = _two_at_once(lambda: services.confirm(token=token))
    finally:
        services.signatures_changed.disconnect(dispatch_uid="test-confirm-race")

    signature.refresh_from_db()
    assert signature.status == Signature.Status.CONFIRMED
    assert sum(error is None for error in outcomes) == 1 and confirmations == [version.pk]
