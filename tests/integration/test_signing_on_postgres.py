"""Signing under real concurrency on PostgreSQL: double submits leave one active signature."""

import pytest

from signatories import services
from signatories.models import Organisation, Signature
from tests.factories import LeaderFactory, StaffFactory, published_version
from tests.integration.test_votes_on_postgres import _all_at_once


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_submits_from_one_person_leave_one_active_signature():
    version = published_version(staff=StaffFactory())
    leader = LeaderFactory()

    errors = _all_at_once(
        6, lambda i: services.sign(actor=leader, version=version, full_name="Ada", role="Chair", consent=True)
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

    errors = _all_at_once(
        4,
        lambda i: services.sign(
            actor=leaders[i], version=version, full_name="X", role="Chair", consent=True, new_organisation=new
        ),
    )

    assert errors == []
    assert Organisation.objects.count() == 1
    assert Signature.objects.filter(organisation__ods_code="RH1").count() == 4
