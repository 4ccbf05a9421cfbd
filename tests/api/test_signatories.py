"""Signatories as open data: only confirmed signatures that still stand, public fields only."""

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.services import erase_account
from signatories import services as signing

from .conftest import days_ago, organisation, sign

pytestmark = pytest.mark.django_db


def listed(api_get, version, **query):
    url = reverse("api:signatories", kwargs={"slug": version.compact.slug, "number": version.number})
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return api_get(url).json()


def test_only_confirmed_standing_signatures_are_listed(api_get, version, staff):
    shown = sign(version, full_name="Mary Seacole")
    sign(version, full_name="Pending Person", status="pending", confirmed_at=None)
    withdrawn = sign(version, full_name="Withdrawn Person")
    signing.withdraw(actor=withdrawn.signer, signature=withdrawn, reason="Moved on.")
    hidden = sign(version, full_name="Fake Person")
    signing.hide_signature(actor=staff, signature=hidden, reason="Not a real person.")
    body = listed(api_get, version)
    assert [row["name"] for row in body["results"]] == [shown.full_name]
    assert body["count"] == 1


def test_a_signatory_shows_public_fields_only(api_get, version):
    trust = organisation(name="Scutari NHS Trust", kind="trust", region="london", ods_code="RX1")
    signature = sign(version, full_name="Mary Seacole", role="Chief nurse", organisation=trust)
    (row,) = listed(api_get, version)["results"]
    assert row["name"] == "Mary Seacole" and row["role"] == "Chief nurse"
    assert row["organisation"]["name"] == "Scutari NHS Trust"
    assert row["organisation"]["region"] == "london" and row["organisation"]["ods_code"] == "RX1"
    assert row["signed_on"] == signature.confirmed_at.date().isoformat()
    assert set(row) == {"name", "role", "organisation", "signed_on"}
    assert signature.signer.email not in str(row)


def test_an_erased_signatory_is_listed_without_their_name(api_get, version):
    signature = sign(version, full_name="Erin Erased")
    erase_account(actor=signature.signer, user=signature.signer)
    body = listed(api_get, version)
    assert "Erin Erased" not in str(body)
    assert body["results"][0]["role"] == ""


def test_pages_are_in_confirmation_order_so_new_signatures_add_to_the_end(api_get, version):
    first = [sign(version, full_name=f"Early {n}", confirmed_at=days_ago(10 - n)) for n in range(3)]
    page_one = listed(api_get, version, page_size=2)
    assert [r["name"] for r in page_one["results"]] == [s.full_name for s in first[:2]]
    sign(version, full_name="Latecomer", confirmed_at=timezone.now())
    assert listed(api_get, version, page_size=2)["results"] == page_one["results"]
    last = listed(api_get, version, page_size=2, page=2)
    assert [r["name"] for r in last["results"]] == ["Early 2", "Latecomer"]


def test_counts_by_kind_and_region_with_codes(api_get, version):
    icb = organisation(kind="icb", region="london")
    sign(version, organisation=icb)
    sign(version, organisation=icb)
    sign(version, organisation=None)
    url = reverse("api:counts", kwargs={"slug": version.compact.slug, "number": version.number})
    counts = api_get(url).json()
    assert counts["total"] == 3 and counts["organisations"] == 1
    assert {(k["kind"], k["count"]) for k in counts["by_kind"]} == {("icb", 2), (None, 1)}
    assert {(r["region"], r["count"]) for r in counts["by_region"]} == {("london", 2), (None, 1)}
