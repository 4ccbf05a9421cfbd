"""On PostgreSQL a link's signature is read by SQL written once (signatories.services._by_token):
it must be what the ORM's select_related read gives."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from compact.models import Compact, Version
from signatories import services
from signatories.models import Organisation, Signature
from tests.factories import LeaderFactory, StaffFactory, published_version

from .factories import OrganisationFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture
def pending(mailoutbox, django_capture_on_commit_callbacks):
    """Sign: the pending signature and the token its e-mail carries."""
    version = published_version(staff=StaffFactory())

    def sign(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):  # the e-mail goes after the commit
            signature = services.sign(
                actor=LeaderFactory(), version=version, full_name="Ada", role="Chair", consent=True, **kwargs
            )
        return signature, mailoutbox[-1].body.split("/signatures/confirm/", 1)[1].split("/", 1)[0]

    return sign


def same(read, orm, model):
    for field in model._meta.concrete_fields:
        assert getattr(read, field.attname) == getattr(orm, field.attname), (model.__name__, field.name)


@pytest.mark.parametrize("for_organisation", [False, True])
def test_the_link_reads_what_the_orm_reads_in_one_query(pending, for_organisation):
    signature, token = pending(organisation=OrganisationFactory() if for_organisation else None)
    orm = Signature.objects.select_related("version__compact", "organisation", "signer").get(pk=signature.pk)

    with CaptureQueriesContext(connection) as captured:
        read = services.signature_for_token(token=token)
        same(read, orm, Signature)
        same(read.version, orm.version, Version)  # JSON (the layout) converted as the ORM does
        same(read.version.compact, orm.version.compact, Compact)
        assert read.signer == orm.signer and read.organisation == orm.organisation
        if for_organisation:
            same(read.organisation, orm.organisation, Organisation)
    assert len(captured.captured_queries) == 1  # nothing left to load later

    services.confirm(token=token)
    with pytest.raises(services.DomainError, match="already been used"):
        services.signature_for_token(token=token)
