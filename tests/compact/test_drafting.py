import pytest
from django.urls import reverse

from compact.models import Commitment, Compact, Version
from tests.factories import LeaderFactory, StaffFactory, UserFactory, draft_version

pytestmark = pytest.mark.django_db


def staff_urls(version):
    slug, number = version.compact.slug, version.number
    commitment = version.commitments.first()
    return [
        reverse("compact:staff_dashboard"),
        reverse("compact:staff_compact_create"),
        reverse("compact:staff_compact", kwargs={"slug": slug}),
        reverse("compact:staff_version", kwargs={"slug": slug, "number": number}),
        reverse("compact:staff_vision", kwargs={"slug": slug, "number": number}),
        reverse("compact:staff_part_add", kwargs={"slug": slug, "number": number, "kind": "themes"}),
        reverse(
            "compact:staff_part_edit",
            kwargs={"slug": slug, "number": number, "kind": "commitments", "pk": commitment.pk},
        ),
        reverse(
            "compact:staff_part_remove",
            kwargs={"slug": slug, "number": number, "kind": "commitments", "pk": commitment.pk},
        ),
    ]


ROLES = {
    "visitor": None,
    "unverified user": lambda: UserFactory(verified=False),
    "leader": LeaderFactory,
    "staff": StaffFactory,
}
EXPECTED = {"visitor": 302, "unverified user": 403, "leader": 403, "staff": 200}


@pytest.mark.parametrize("role", ROLES)
def test_drafting_pages_answer_each_role_as_expected(client, role):
    version = draft_version()
    if ROLES[role]:
        client.force_login(ROLES[role]())
    for url in staff_urls(version):
        response = client.get(url)
        assert response.status_code == EXPECTED[role], url
        if role == "visitor":
            assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("role", ["visitor", "leader", "unverified user"])
def test_non_staff_cannot_change_a_draft_by_posting(client, role):
    version = draft_version()
    if ROLES[role]:
        client.force_login(ROLES[role]())
    commitment = version.commitments.first()
    url = reverse(
        "compact:staff_part_edit",
        kwargs={"slug": version.compact.slug, "number": 1, "kind": "commitments", "pk": commitment.pk},
    )
    client.post(url, {"theme": commitment.theme_id, "party": commitment.party_id, "text": "Hijacked"})
    client.post(
        reverse("compact:staff_compact_create"), {"title": "X", "first_party": "A", "second_party": "B"}
    )
    assert Commitment.objects.get(pk=commitment.pk).text != "Hijacked"
    assert not Compact.objects.filter(title="X").exists()


def test_staff_edit_a_draft_commitment(staff_client):
    version = draft_version()
    commitment = version.commitments.first()
    url = reverse(
        "compact:staff_part_edit",
        kwargs={"slug": version.compact.slug, "number": 1, "kind": "commitments", "pk": commitment.pk},
    )
    response = staff_client.post(
        url, {"theme": commitment.theme_id, "party": commitment.party_id, "text": "  We will listen first.  "}
    )
    assert response.status_code == 302
    assert Commitment.objects.get(pk=commitment.pk).text == "We will listen first."
    page = staff_client.get(response["Location"]).content.decode()
    assert "We will listen first." in page and "Saved the commitment." in page


def test_an_empty_wording_is_refused_with_a_message_and_nothing_is_lost(staff_client):
    version = draft_version()
    commitment = version.commitments.first()
    url = reverse(
        "compact:staff_part_add", kwargs={"slug": version.compact.slug, "number": 1, "kind": "themes"}
    )
    response = staff_client.post(url, {"title": "", "description": "Kept description text"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in html and "This field is required." in html
    assert "Kept description text" in html
    assert version.themes.count() == 2
    assert commitment.text in Commitment.objects.values_list("text", flat=True)


def test_staff_create_a_compact_through_the_form(staff_client):
    response = staff_client.post(
        reverse("compact:staff_compact_create"),
        {
            "title": "Nursing compact",
            "summary": "",
            "vision": "Care.",
            "first_party": "Nurses",
            "second_party": "Employers",
        },
    )
    compact = Compact.objects.get(title="Nursing compact")
    assert response["Location"] == reverse(
        "compact:staff_version", kwargs={"slug": compact.slug, "number": 1}
    )
    assert compact.versions.get().parties.count() == 2


def test_two_parties_with_the_same_name_are_refused_on_the_form(staff_client):
    response = staff_client.post(
        reverse("compact:staff_compact_create"),
        {"title": "Twin", "first_party": "Leaders", "second_party": "leaders"},
    )
    assert response.status_code == 400
    assert "different name" in response.content.decode()
    assert "Twin" in response.content.decode()


def test_staff_reorder_themes_with_move_buttons(staff_client):
    version = draft_version(themes=3)
    themes = list(version.themes.order_by("position"))
    url = reverse(
        "compact:staff_part_move",
        kwargs={"slug": version.compact.slug, "number": 1, "kind": "themes", "pk": themes[0].pk},
    )
    response = staff_client.post(url, {"direction": "down"})
    assert response.status_code == 302 and response["Location"].endswith(f"#theme-{themes[0].pk}")
    assert list(version.themes.order_by("position")) == [themes[1], themes[0], themes[2]]


def test_move_changes_nothing_on_get(staff_client):
    version = draft_version(themes=2)
    themes = list(version.themes.order_by("position"))
    url = reverse(
        "compact:staff_part_move",
        kwargs={"slug": version.compact.slug, "number": 1, "kind": "themes", "pk": themes[0].pk},
    )
    assert staff_client.get(url).status_code == 405
    assert list(version.themes.order_by("position")) == themes


def test_staff_remove_a_commitment_after_confirming(staff_client):
    version = draft_version()
    commitment = version.commitments.first()
    url = reverse(
        "compact:staff_part_remove",
        kwargs={"slug": version.compact.slug, "number": 1, "kind": "commitments", "pk": commitment.pk},
    )
    assert commitment.text in staff_client.get(url).content.decode()
    staff_client.post(url)
    assert not Commitment.objects.filter(pk=commitment.pk).exists()


def test_staff_start_a_new_draft_from_the_compact_page(staff_client, staff):
    from tests.factories import published_version

    published = published_version(staff=staff)
    response = staff_client.post(
        reverse("compact:staff_start_draft", kwargs={"slug": published.compact.slug})
    )
    draft = published.compact.versions.get(status=Version.Status.DRAFT)
    assert response["Location"] == reverse(
        "compact:staff_version", kwargs={"slug": published.compact.slug, "number": draft.number}
    )


def test_editing_a_published_version_through_the_form_is_refused_with_a_message(staff_client, staff):
    from tests.factories import published_version

    version = published_version(staff=staff)
    commitment = version.commitments.first()
    url = reverse(
        "compact:staff_part_edit",
        kwargs={"slug": version.compact.slug, "number": 1, "kind": "commitments", "pk": commitment.pk},
    )
    response = staff_client.post(
        url, {"theme": commitment.theme_id, "party": commitment.party_id, "text": "Changed"}
    )
    assert response.status_code == 400
    assert "Start a new draft" in response.content.decode()
    assert Commitment.objects.get(pk=commitment.pk).text != "Changed"


def test_staff_without_two_factor_are_sent_to_set_it_up_when_required(staff_client, settings):
    settings.STAFF_REQUIRE_MFA = True
    response = staff_client.get(reverse("compact:staff_dashboard"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
