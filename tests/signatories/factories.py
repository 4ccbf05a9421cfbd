import factory
from django.utils import timezone

from signatories.models import Organisation, Signature
from tests.factories import LeaderFactory


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Northfield {n} NHS Foundation Trust")
    kind = Organisation.Kind.TRUST
    region = Organisation.Region.NORTH_WEST


class SignatureFactory(factory.django.DjangoModelFactory):
    """A confirmed signature on a published version, unless told otherwise."""

    class Meta:
        model = Signature

    version = None  # pass a published version
    content_hash = factory.LazyAttribute(lambda o: o.version.content_hash)
    signer = factory.SubFactory(LeaderFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    full_name = factory.LazyAttribute(lambda o: o.signer.full_name)
    role = "Chief executive"
    consent_to_publish = True
    status = Signature.Status.CONFIRMED
    confirmed_at = factory.LazyFunction(timezone.now)
