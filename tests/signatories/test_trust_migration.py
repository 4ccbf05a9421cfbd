"""The migration that brought in per-signer verification, on rows written under the old rules."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tests.factories import LeaderFactory, StaffFactory, published_version

BEFORE = [("signatories", "0002_refresh_invitations")]
AFTER = [("signatories", "0003_verify_signers_for_their_organisation")]


@pytest.mark.django_db(transaction=True)
def test_old_signatures_keep_counting_but_are_queued_for_staff_and_claims_are_listed_once():
    version = published_version(staff=StaffFactory())
    first, second, third = LeaderFactory(email="box@example.org"), LeaderFactory(), LeaderFactory()
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Organisation, Signature = (
        old.get_model("signatories", "Organisation"),
        old.get_model("signatories", "Signature"),
    )
    signed = Organisation.objects.create(name="Harbour\u200b NHS Trust", kind="trust", ods_code="RH1")
    claimed = Organisation.objects.create(name="Nobody Confirmed Trust", kind="trust")
    now = timezone.now()
    common = {
        "version_id": version.pk,
        "content_hash": version.content_hash,
        "role": "Chair",
        "consent_to_publish": True,
    }
    Signature.objects.create(
        signer_id=first.pk, organisation=signed, full_name="A", status="confirmed", confirmed_at=now, **common
    )
    Signature.objects.create(
        signer_id=second.pk, organisation=claimed, full_name="B", status="pending", **common
    )
    Signature.objects.create(
        signer_id=third.pk, full_name="C", status="confirmed", confirmed_at=now, **common
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    # Then to today's schema, which the models below read (later migrations only add columns).
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    from signatories.models import Organisation as Now
    from signatories.models import Signature as NowSignature

    harbour = Now.objects.get(pk=signed.pk)
    assert harbour.listed and harbour.name_key == "harbour nhs trust"
    assert not Now.objects.get(pk=claimed.pk).listed
    counted = NowSignature.objects.get(full_name="A")
    assert counted.status == "confirmed" and counted.email_key == "box@example.org"
    assert counted.needs_review and counted.organisation_verified_how == "earlier"
    assert not counted.shows_organisation_verified
    assert not NowSignature.objects.get(full_name="C").needs_review
