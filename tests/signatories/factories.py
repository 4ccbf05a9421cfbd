import factory
from django.utils import timezone

from signatories.models import Organisation, Signature
from signatories.normalise import email_key
from tests.factories import LeaderFactory


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Northfield {n} NHS Foundation Trust")
    kind = Organisation.Kind.TRUST
    region = Organisation.Region.NORTH_WEST
    # An organisation others can see (it has signed); pass listed=False for a signer's new claim.
    listed = True


class SignatureFactory(factory.django.DjangoModelFactory):
    """A confirmed signature on a published version, unless told otherwise: one that counts, so
    a signature for an organisation comes verified for its signer (by staff)."""

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
    email_key = factory.LazyAttribute(lambda o: email_key(o.signer.email) if o.signer else "")
    organisation_verified_at = factory.LazyAttribute(
        lambda o: o.confirmed_at if o.organisation and o.status == Signature.Status.CONFIRMED else None
    )
    organisation_verified_how = factory.LazyAttribute(
        lambda o: Signature.VerifiedBy.STAFF if o.organisation_verified_at else ""
    )
