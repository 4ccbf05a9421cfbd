"""factory_boy factories for every app's models. Tests build exactly the data they need."""

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group

from accounts.models import User
from accounts.roles import ACADEMY_STAFF_GROUP
from compact.models import Commitment, Compact, Party, Section, Theme, Version


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name", locale="en_GB")
    job_title = "Chief executive"
    organisation_name = factory.Sequence(lambda n: f"Trust number {n} NHS Foundation Trust")
    password = factory.django.Password("a-long-test-password")

    @factory.post_generation
    def verified(user, create, extracted, **kwargs):
        """Leaders have a verified e-mail unless a test asks for verified=False."""
        if create and extracted is not False:
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)


class LeaderFactory(UserFactory):
    pass


class StaffFactory(UserFactory):
    job_title = "Programme lead"
    organisation_name = "The Leadership Academy"

    @factory.post_generation
    def academy_staff(user, create, extracted, **kwargs):
        if create:
            group, _ = Group.objects.get_or_create(name=ACADEMY_STAFF_GROUP)
            from django.contrib.auth.models import Permission

            group.permissions.add(Permission.objects.get(codename="manage_compacts"))
            user.groups.add(group)


class CompactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Compact

    title = factory.Sequence(lambda n: f"Compact {n}")
    slug = factory.Sequence(lambda n: f"compact-{n}")
    summary = "A promise between leaders and the bodies that support them."


class VersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Version

    compact = factory.SubFactory(CompactFactory)
    number = 1
    vision = "Every leader is supported to lead with compassion."


class PartyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Party

    version = factory.SubFactory(VersionFactory)
    name = factory.Sequence(lambda n: f"Party {n}")
    position = factory.Sequence(lambda n: n + 1)


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme

    version = factory.SubFactory(VersionFactory)
    title = factory.Sequence(lambda n: f"Theme {n}")
    position = factory.Sequence(lambda n: n + 1)


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    version = factory.SubFactory(VersionFactory)
    kind = Section.Kind.WHY
    heading = "Why we need a compact"
    body = "Because promises made to leaders have been unclear."


class CommitmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commitment

    version = factory.SubFactory(VersionFactory)
    theme = factory.LazyAttribute(lambda o: ThemeFactory(version=o.version))
    party = factory.LazyAttribute(lambda o: PartyFactory(version=o.version))
    text = factory.Sequence(lambda n: f"We will keep promise number {n}.")
    position = factory.Sequence(lambda n: n + 1)


def draft_version(*, themes=2, commitments_per_cell=2, parties=("The Academy", "Leaders")):
    """A complete draft: parties, themes, and commitments in every theme × party cell."""
    version = VersionFactory()
    party_objects = [PartyFactory(version=version, name=name) for name in parties]
    for t in range(themes):
        theme = ThemeFactory(version=version, title=f"Theme {t + 1} of {version.compact.title}")
        for party in party_objects:
            for c in range(commitments_per_cell):
                CommitmentFactory(
                    version=version, theme=theme, party=party, text=f"{party.name} promise {t + 1}.{c + 1}."
                )
    return version


def published_version(*, staff=None, **kwargs):
    """A draft taken through the real ratify and publish services."""
    from compact import services

    staff = staff or StaffFactory()
    version = draft_version(**kwargs)
    services.ratify(actor=staff, version=version)
    return services.publish(actor=staff, version=version, note="First publication.")
