"""No dead ends: every page the walk reached offers a way on or back."""

import pytest
from django.urls import reverse

from consultation import services
from signatories import services as signing
from tests.factories import LeaderFactory, published_version
from tests.signatories.factories import SignatureFactory

pytestmark = pytest.mark.django_db


def test_after_withdrawing_the_receipt_offers_signing_again_and_the_way_back(client, staff):
    version = published_version(staff=staff)
    signature = SignatureFactory(version=version, organisation=None)
    signing.withdraw(actor=signature.signer, signature=signature, reason="")
    client.force_login(signature.signer)
    page = client.get(reverse("signatories:signature", kwargs={"pk": signature.pk})).content.decode()
    assert f'href="{reverse("signatories:sign", kwargs={"slug": version.compact.slug})}"' in page
    assert f"Back to {version.compact.title}" in page


def test_the_report_page_links_back_to_the_comment(client, round):
    comment = services.post_comment(actor=LeaderFactory(), round=round, body="A comment.")
    client.force_login(LeaderFactory())
    page = client.get(
        reverse("consultation:comment_report", kwargs={"round_pk": round.pk, "pk": comment.pk})
    ).content.decode()
    assert "Back to the comment" in page and f"#{comment.anchor()}" in page


def test_a_closed_round_offers_no_follow_button(
    client, staff, round, commitment, django_capture_on_commit_callbacks
):
    client.force_login(LeaderFactory())
    assert "Follow this round" in client.get(round.get_absolute_url()).content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # the kept page is rebuilt after the commit
        services.close_round(round=round, actor=staff, reason="Done")
    assert "Follow this round" not in client.get(round.get_absolute_url()).content.decode()
    url = reverse("consultation:commitment", kwargs={"round_pk": round.pk, "pk": commitment.pk})
    assert "Follow this commitment" not in client.get(url).content.decode()


def test_the_feed_link_leads_to_a_page_that_explains_feeds_and_gives_the_address(client, staff):
    version = published_version(staff=staff)
    page = client.get(version.compact.get_absolute_url()).content.decode()
    about = reverse("api:feed_about", kwargs={"slug": version.compact.slug})
    assert f'href="{about}"' in page
    body = client.get(about).content.decode()
    feed = reverse("api:feed", kwargs={"slug": version.compact.slug})
    assert "Follow with a feed reader" in body and f'value="http://testserver{feed}"' in body
