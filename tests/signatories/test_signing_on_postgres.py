"""Double submits on PostgreSQL with real threads: the database, not luck, keeps one signature
(and one organisation, one confirmation)."""

import pytest

from audit.models import AuditEvent
from compact.signals import signatures_changed
from signatories import services
from signatories.models import Organisation, Signature
from tests.concurrency import all_at_once, errors_of
from tests.factories import LeaderFactory, StaffFactory, published_version


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_submits_at_once_leave_exactly_one_active_signature():
    version = published_version(staff=StaffFactory())
    leader = LeaderFactory()

    outcomes = all_at_once(
        2, lambda i: services.sign(actor=leader, version=version, full_name="Ada", role="Chair", consent=True)
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

    signatures_changed.connect(receiver, dispatch_uid="test-confirm-race")
    try:
        outcomes = all_at_once(2, lambda i: services.confirm(token=token))
    finally:
        signatures_changed.disconnect(dispatch_uid="test-confirm-race")

    signature.refresh_from_db()
    assert signature.status == Signature.Status.CONFIRMED
    assert sum(error is None for error in outcomes) == 1 and confirmations == [version.pk]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_link_posted_while_its_signature_is_withdrawn_confirms_nothing_left_standing(mailoutbox):
    version = published_version(staff=StaffFactory())
    leader = LeaderFactory()
    signature = services.sign(actor=leader, version=version, full_name="Ada", role="Chair", consent=True)
    token = mailoutbox[-1].body.split("/signatures/confirm/", 1)[1].split("/", 1)[0]

    def work(index):
        if index == 0:
            services.confirm(token=token)
        else:
            services.withdraw(actor=leader, signature=signature)

    confirmed, withdrawn = all_at_once(2, work)

    signature.refresh_from_db()
    assert withdrawn is None and signature.status == Signature.Status.WITHDRAWN
    # Either the confirmation went first (and was then withdrawn) or it found the link dead and
    # wrote nothing: never a confirmation recorded for a signature it did not confirm.
    recorded = AuditEvent.objects.filter(action="confirm signature", object_id=str(signature.pk)).count()
    assert recorded == (1 if confirmed is None else 0)
    assert confirmed is None or isinstance(confirmed, services.DomainError)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_submits_from_one_person_leave_one_active_signature():
    version = published_version(staff=StaffFactory())
    leader = LeaderFactory()

    errors = errors_of(
        all_at_once(
            6,
            lambda i: services.sign(
                actor=leader, version=version, full_name="Ada", role="Chair", consent=True
            ),
        )
    )

    assert Signature.objects.active().filter(version=version, signer=leader).count() == 1
    assert {type(error).__name__ for error in errors} == {"AlreadySigned"}
    assert len(errors) == 5


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_organisation_registered_twice_at_once_exists_once():
    version = published_version(staff=StaffFactory())
    leaders = LeaderFactory.create_batch(4)
    new = {"name": "Harbour NHS Trust", "kind": "trust", "ods_code": "RH1", "region": "london"}

    errors = errors_of(
        all_at_once(
            4,
            lambda i: services.sign(
                actor=leaders[i],
                version=version,
                full_name="X",
                role="Chair",
                consent=True,
                new_organisation=new,
            ),
        )
    )

    assert errors == []
    assert Organisation.objects.count() == 1
    assert Signature.objects.filter(organisation__ods_code="RH1").count() == 4
