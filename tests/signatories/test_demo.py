"""The demo: enough confirmed signatories across organisations to see the list, counts and pages."""

import pytest
from django.core.management import call_command

from signatories.models import Organisation, Signature

pytestmark = pytest.mark.django_db


def test_load_demo_gives_fifty_public_signatures_across_kinds_and_regions():
    call_command("load_demo")
    public = Signature.objects.public()
    assert public.count() >= 50
    assert public.values("organisation").distinct().count() >= 15
    assert public.values("organisation__kind").distinct().count() == len(Organisation.Kind.values) + 1
    assert public.values("organisation__region").distinct().count() >= 6
    version = public.first().version
    assert version.status == "published" and set(public.values_list("content_hash", flat=True)) == {
        version.content_hash
    }


def test_load_demo_twice_duplicates_nothing():
    call_command("load_demo")
    counts = Signature.objects.count(), Organisation.objects.count()
    call_command("load_demo")
    assert (Signature.objects.count(), Organisation.objects.count()) == counts
