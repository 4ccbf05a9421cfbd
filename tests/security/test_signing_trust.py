"""Who a signature speaks for: the signing trust rules (security review and walk-through findings).

A signature for an organisation counts, and shows as the organisation's, only once the
organisation is verified *for that signer* (their e-mail domain is one staff recorded for it, or
staff approved the signature). One mailbox is one signer. Unconfirmed claims capture no name or
ODS code; look-alike names are one name; a code that disagrees with the name is asked about.
"""

import re

import pytest
from django.db import IntegrityError
from django.test import Client
from django.urls import reverse

from compact import pdf
from signatories import selectors, services
from signatories.models import Organisation, Signature
from tests.factories import LeaderFactory, StaffFactory, published_version
from tests.signatories.factories import OrganisationFactory, SignatureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(staff):
    return published_version(staff=staff)


@pytest.fixture(autouse=True)
def _no_rate_limits(settings):
    # Several signers share the test client's address; the limits are tested elsewhere.
    settings.RATE_LIMITS = {"sign": [("user", 100, 3600), ("ip", 1000, 3600)]}


@pytest.fixture
def city_icb(staff):
    """A staff-verified organisation with its own e-mail domain, as in the review."""
    icb = OrganisationFactory(name="City and Hills Integrated Care Board", ods_code="QC2", kind="icb")
    services.verify_organisation(actor=staff, organisation=icb)
    services.set_organisation_email_domains(actor=staff, organisation=icb, domains="cityhills.nhs.uk")
    return icb


def sign_url(version):
    return reverse("signatories:sign", kwargs={"slug": version.compact.slug})


def list_url(version):
    return reverse("signatories:list", kwargs={"slug": version.compact.slug, "number": version.number})


def form(**overrides):
    data = {"full_name": "Ada Lovelace", "role": "Chief executive", "on_behalf": "personal", "consent": "on"}
    data.update(overrides)
    return data


def sign_and_confirm(leader, version, mailoutbox, capture, **kwargs):
    with capture(execute=True):
        signature = services.sign(
            actor=leader,
            version=version,
            full_name=kwargs.pop("full_name", leader.full_name),
            role="Director",
            consent=True,
            **kwargs,
        )
    token = re.search(r"/signatures/confirm/([^/\s]+)/", mailoutbox[-1].body).group(1)
    services.confirm(token=token)
    signature.refresh_from_db()
    return signature


def public_page(version):
    return Client().get(list_url(version)).content.decode()


# --- 1. Signing as an organisation ------------------------------------------------------------------
def test_anyone_signing_for_a_verified_organisation_waits_and_is_not_shown_as_it(
    city_icb, version, mailoutbox, django_capture_on_commit_callbacks
):
    outsider = LeaderFactory(email="mallory@example.net", full_name="Mallory Fake")
    signature = sign_and_confirm(
        outsider, version, mailoutbox, django_capture_on_commit_callbacks, organisation=city_icb
    )

    assert signature.status == Signature.Status.AWAITING_ORGANISATION
    page = public_page(version)
    assert "Mallory Fake" not in page and "Verified" not in page
    assert selectors.public_counts(version)["total"] == 0


def test_staff_approval_makes_a_waiting_signature_count_as_the_organisations(
    staff, city_icb, version, mailoutbox, django_capture_on_commit_callbacks
):
    signer = LeaderFactory(email="ceo@city-hills-consulting.com", full_name="Priya Shah")
    signature = sign_and_confirm(
        signer, version, mailoutbox, django_capture_on_commit_callbacks, organisation=city_icb
    )

    services.approve_organisation_signature(actor=staff, signature=signature)

    signature.refresh_from_db()
    assert signature.status == Signature.Status.CONFIRMED
    assert (signature.organisation_verified_how, signature.organisation_verified_by) == ("staff", staff)
    page = public_page(version)
    assert "Priya Shah" in page and "Verified" in page


def test_a_signer_at_a_domain_staff_recorded_counts_on_confirmation_and_a_look_alike_domain_does_not(
    city_icb, version, mailoutbox, django_capture_on_commit_callbacks
):
    insider = LeaderFactory(email="Chair@mail.CityHills.nhs.uk", full_name="Grace Insider")
    lookalike = LeaderFactory(email="chair@evilcityhills.nhs.uk", full_name="Eve Lookalike")
    mine = sign_and_confirm(
        insider, version, mailoutbox, django_capture_on_commit_callbacks, organisation=city_icb
    )
    theirs = sign_and_confirm(
        lookalike, version, mailoutbox, django_capture_on_commit_callbacks, organisation=city_icb
    )

    assert (mine.status, mine.organisation_verified_how) == (Signature.Status.CONFIRMED, "domain")
    assert theirs.status == Signature.Status.AWAITING_ORGANISATION
    page = public_page(version)
    assert "Grace Insider" in page and "Eve Lookalike" not in page


def test_recording_a_domain_on_the_staff_page_verifies_the_signatures_already_waiting_from_it(
    staff_client, version, mailoutbox, django_capture_on_commit_callbacks
):
    harbour = OrganisationFactory(name="Harbour NHS Trust")
    signer = LeaderFactory(email="lee@harbour.nhs.uk", full_name="Lee Harbour")
    signature = sign_and_confirm(
        signer, version, mailoutbox, django_capture_on_commit_callbacks, organisation=harbour
    )
    assert signature.status == Signature.Status.AWAITING_ORGANISATION

    response = staff_client.post(
        reverse("signatories:staff_organisations"),
        {
            "organisation": harbour.pk,
            "action": "domains",
            "email_domains": "harbour.nhs.uk, @HARBOUR-NHS.org",
        },
        follow=True,
    )

    harbour.refresh_from_db()
    signature.refresh_from_db()
    assert harbour.email_domains == ["harbour.nhs.uk", "harbour-nhs.org"]
    assert "1 waiting signature now count" in response.content.decode()
    assert signature.status == Signature.Status.CONFIRMED and "Lee Harbour" in public_page(version)


@pytest.mark.parametrize("typed", ["nhs.net", "gmail.com", "not a domain"])
def test_a_shared_or_malformed_domain_is_refused_with_what_was_typed_kept(staff_client, typed):
    harbour = OrganisationFactory(name="Harbour NHS Trust")
    response = staff_client.post(
        reverse("signatories:staff_organisations"),
        {"organisation": harbour.pk, "action": "domains", "email_domains": typed},
    )
    page = response.content.decode()
    assert response.status_code == 400 and "There is a problem" in page
    assert f'value="{typed}"' in page
    harbour.refresh_from_db()
    assert harbour.email_domains == []


def test_personal_signatures_count_as_soon_as_they_are_confirmed(
    version, mailoutbox, django_capture_on_commit_callbacks
):
    person = LeaderFactory(full_name="Pat Personal")
    signature = sign_and_confirm(person, version, mailoutbox, django_capture_on_commit_callbacks)
    assert signature.status == Signature.Status.CONFIRMED and "Pat Personal" in public_page(version)


def test_counts_csv_and_pdf_list_only_signatures_that_count(
    city_icb, version, mailoutbox, django_capture_on_commit_callbacks
):
    SignatureFactory(version=version, organisation=city_icb, full_name="Counted Person")
    outsider = LeaderFactory(email="x@example.net", full_name="Waiting Person")
    sign_and_confirm(outsider, version, mailoutbox, django_capture_on_commit_callbacks, organisation=city_icb)

    assert selectors.public_counts(version)["total"] == 1
    csv = (
        Client()
        .get(reverse("signatories:csv", kwargs={"slug": version.compact.slug, "number": version.number}))
        .content.decode()
    )
    assert "Counted Person" in csv and "Waiting Person" not in csv
    assert [s.full_name for s in pdf.public_signatures(version)] == ["Counted Person"]


@pytest.mark.parametrize(
    "first, second",
    [
        ("box@example.org", "box+1@example.org"),
        ("Box@Example.org", "box+petition@example.org"),
        ("ada.lovelace@gmail.com", "adalovelace+2@googlemail.com"),
    ],
)
def test_one_mailbox_is_one_signer_however_it_is_spelt(version, first, second):
    services.sign(actor=LeaderFactory(email=first), version=version, full_name="A", role="B", consent=True)
    with pytest.raises(services.AlreadySigned, match="from another account"):
        services.sign(
            actor=LeaderFactory(email=second), version=version, full_name="C", role="D", consent=True
        )
    assert Signature.objects.count() == 1


def test_the_database_refuses_a_second_active_signature_from_one_mailbox(version):
    SignatureFactory(version=version, signer=LeaderFactory(email="box@example.org"))
    with pytest.raises(IntegrityError):
        SignatureFactory(version=version, signer=LeaderFactory(email="box+2@example.org"))


def test_the_receipt_says_the_signature_awaits_the_organisation_and_what_happens_next(
    client, city_icb, version, mailoutbox, django_capture_on_commit_callbacks
):
    outsider = LeaderFactory(email="sam@example.net")
    signature = sign_and_confirm(
        outsider, version, mailoutbox, django_capture_on_commit_callbacks, organisation=city_icb
    )
    client.force_login(outsider)
    page = client.get(reverse("signatories:signature", kwargs={"pk": signature.pk})).content.decode()
    assert "Awaiting the organisation&#x27;s verification" in page
    assert "Your signature awaits City and Hills Integrated Care Board's verification" in page
    assert "What happens next" in page and "(verified)" not in page


def test_the_confirmation_page_says_the_signature_now_awaits_the_organisation(
    client, city_icb, version, mailoutbox, django_capture_on_commit_callbacks
):
    outsider = LeaderFactory(email="sam@example.net")
    with django_capture_on_commit_callbacks(execute=True):
        services.sign(
            actor=outsider, version=version, full_name="Sam", role="D", consent=True, organisation=city_icb
        )
    path = re.search(r"https?://[^/\s]+(/signatures/confirm/\S+/)", mailoutbox[-1].body).group(1)
    page = client.post(path).content.decode()
    assert "now awaits City and Hills Integrated Care Board's verification" in page
    assert "is confirmed and now shows on the public list" not in page


# --- Fraud signals: staff see them, the signer sees nothing different -------------------------------
def _sign_through_the_page(version, email, name, address="203.0.113.9"):
    client = Client(REMOTE_ADDR=address)
    client.force_login(LeaderFactory(email=email, full_name=name))
    return client.post(sign_url(version), form(full_name=name))


def test_a_burst_from_one_address_is_held_for_staff_and_answered_as_usual(staff_client, version):
    responses = [
        _sign_through_the_page(version, f"bot{n}@mailbox{n}.example", f"Bot Number {n}") for n in range(4)
    ]
    other = _sign_through_the_page(version, "real@elsewhere.example", "Real Person", address="198.51.100.7")

    assert {r.status_code for r in responses} == {302} == {other.status_code}
    held = Signature.objects.held()
    assert held.count() == 4 and Signature.objects.get(full_name="Real Person").held_at is None
    assert all("from one address" in reason for s in held for reason in s.hold_reasons)
    queue = staff_client.get(reverse("signatories:staff_queue")).content.decode()
    assert "Bot Number 3" in queue and "More than 3 signatures from one address" in queue
    assert "Real Person" not in queue
    assert "from one address" not in Client().get(list_url(version)).content.decode()


def test_a_burst_from_one_email_domain_is_held_and_a_repeated_name_is_flagged(version):
    for n in range(4):
        services.sign(
            actor=LeaderFactory(email=f"p{n}@burst.example"),
            version=version,
            full_name=f"Person {n}",
            role="Chair",
            consent=True,
        )
    assert Signature.objects.held().count() == 4
    services.sign(
        actor=LeaderFactory(email="a@one.example"),
        version=version,
        full_name="Jo Bloggs",
        role="X",
        consent=True,
    )
    services.sign(
        actor=LeaderFactory(email="b@two.example"),
        version=version,
        full_name="jo  bloggs",
        role="Y",
        consent=True,
    )
    repeated = Signature.objects.filter(full_name__iexact="Jo Bloggs")
    assert all(services.REASON_NAME in s.review_reasons for s in repeated)


def test_staff_mark_a_flagged_signature_reviewed_and_it_leaves_the_queue(staff, staff_client, version):
    for n, address in enumerate(["203.0.113.1", "203.0.113.2", "203.0.113.3"]):
        _sign_through_the_page(version, f"team{n}@ward{n}.example", "Team Member", address=address)
    first = Signature.objects.order_by("id").first()
    staff_client.post(
        reverse("signatories:staff_moderate", kwargs={"pk": first.pk, "action": "reviewed"}),
        {"back": "queue"},
    )
    first.refresh_from_db()
    assert not first.needs_review and first.reviewed_by == staff
    flagged = selectors.staff_review_queue()[1]
    assert first not in flagged and flagged.count() == 2


def test_leaders_cannot_reach_the_queue_or_approve(leader_client, version, city_icb):
    waiting = SignatureFactory(
        version=version, organisation=city_icb, status=Signature.Status.AWAITING_ORGANISATION
    )
    assert leader_client.get(reverse("signatories:staff_queue")).status_code == 403
    url = reverse("signatories:staff_moderate", kwargs={"pk": waiting.pk, "action": "approve"})
    assert leader_client.post(url).status_code == 403
    waiting.refresh_from_db()
    assert waiting.status == Signature.Status.AWAITING_ORGANISATION


# --- 2. Organisation squatting -----------------------------------------------------------------------
def test_an_unconfirmed_claim_does_not_capture_an_ods_code(client, version):
    squatter = LeaderFactory()
    services.sign(
        actor=squatter,
        version=version,
        full_name="S",
        role="S",
        consent=True,
        new_organisation={"name": "Squatters Ltd", "kind": "other", "ods_code": "RX1"},
    )
    genuine = LeaderFactory()
    client.force_login(genuine)
    client.post(
        sign_url(version),
        form(
            on_behalf="organisation",
            organisation_name="Harbour NHS Trust",
            organisation_kind="trust",
            ods_code="rx1",
        ),
    )
    signed = Signature.objects.get(signer=genuine)
    assert signed.organisation.name == "Harbour NHS Trust" and signed.organisation.ods_code == "RX1"
    assert Organisation.objects.get(name="Squatters Ltd").signatures.count() == 1


def test_only_this_versions_confirmed_verified_organisations_are_offered_as_already_signed(
    client, leader, staff, version
):
    counted = OrganisationFactory(name="Counted Trust")
    SignatureFactory(version=version, organisation=counted)
    for name, status in [
        ("Pending Trust", "pending"),
        ("Withdrawn Trust", "withdrawn"),
        ("Waiting Trust", "awaiting_organisation"),
    ]:
        SignatureFactory(version=version, organisation=OrganisationFactory(name=name), status=status)
    earlier_only = OrganisationFactory(name="Other Version Trust")
    other = published_version(staff=staff)
    SignatureFactory(version=other, organisation=earlier_only)

    client.force_login(leader)
    page = client.get(sign_url(version)).content.decode()
    offered = re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', page)
    assert offered == ["Counted Trust"]


def test_an_unlisted_organisation_is_not_found_by_the_look_up(client, staff):
    harbour = OrganisationFactory(name="Harbour NHS Trust", ods_code="RH1")
    SignatureFactory(version=published_version(staff=staff), organisation=harbour)
    OrganisationFactory(name="Harbour Squat", ods_code="RH9", listed=False)
    found = client.get(reverse("signatories:organisation_lookup"), {"q": "harb"}).json()["organisations"]
    assert [o["name"] for o in found] == ["Harbour NHS Trust"]
    assert (
        client.get(reverse("signatories:organisation_lookup"), {"q": "rh"}).json()["organisations"][0][
            "ods_code"
        ]
        == "RH1"
    )


def test_the_look_up_offers_only_organisations_with_a_public_signature(client, staff):
    version = published_version(staff=staff)
    SignatureFactory(version=version, organisation=OrganisationFactory(name="Harbour NHS Trust"))
    waiting = OrganisationFactory(name="Harbour Waiting Trust")
    SignatureFactory(version=version, organisation=waiting, status="awaiting_organisation")
    OrganisationFactory(name="Harbour Unsigned Trust")
    found = client.get(reverse("signatories:organisation_lookup"), {"q": "harb"}).json()["organisations"]
    assert [o["name"] for o in found] == ["Harbour NHS Trust"]


@pytest.mark.parametrize(
    "typed",
    [
        "Harbour\u200b NHS Trust",
        "Harbour NHS \u00adTrust",
        "Ｈａｒｂｏｕｒ NHS Trust",
        "harbour\u2060 nhs\ttrust",
    ],
)
def test_a_look_alike_name_joins_the_organisation_already_listed(client, leader, version, typed):
    harbour = OrganisationFactory(name="Harbour NHS Trust")
    client.force_login(leader)
    client.post(
        sign_url(version), form(on_behalf="organisation", organisation_name=typed, organisation_kind="trust")
    )
    assert Signature.objects.get(signer=leader).organisation == harbour
    assert Organisation.objects.count() == 1


def test_names_are_stored_without_invisible_characters(leader, version):
    signature = services.sign(
        actor=leader,
        version=version,
        full_name="Ada\u200b  Love\u0000lace",
        role="Chair\u202e",
        consent=True,
        new_organisation={"name": " New\u200b  Trust ", "kind": "trust"},
    )
    assert (signature.full_name, signature.role, signature.organisation.name) == (
        "Ada Lovelace",
        "Chair",
        "New Trust",
    )


def test_two_listed_organisations_cannot_share_an_ods_code_or_a_name():
    OrganisationFactory(name="Harbour NHS Trust", ods_code="RH1")
    with pytest.raises(IntegrityError):
        OrganisationFactory(name="Another Trust", ods_code="RH1")


def test_listing_a_claim_that_clashes_with_a_listed_organisation_is_refused_with_a_reason(staff):
    OrganisationFactory(name="Harbour NHS Trust", ods_code="RH1")
    squat = OrganisationFactory(name="Squatters Ltd", ods_code="RH1", listed=False)
    with pytest.raises(services.DomainError, match="already listed"):
        services.verify_organisation(actor=staff, organisation=squat)


# --- 3. A code that disagrees with the name -------------------------------------------------------
def test_a_mistyped_ods_code_is_asked_about_and_nothing_is_saved_until_the_person_chooses(
    client, leader, version
):
    riverside = OrganisationFactory(name="Riverside Hospitals", ods_code="RV1")
    client.force_login(leader)
    typed = form(
        on_behalf="organisation",
        organisation_name="Southshire Care Trust",
        organisation_kind="trust",
        ods_code="RV1",
        region="south-east",
    )

    asked = client.post(sign_url(version), typed)

    page = asked.content.decode()
    assert asked.status_code == 400
    assert "RV1 is Riverside Hospitals. Did you mean Riverside Hospitals, or is your code different?" in page
    assert (
        'value="Southshire Care Trust"' in page and 'value="RV1"' in page and 'value="Ada Lovelace"' in page
    )
    assert not Signature.objects.exists() and Organisation.objects.count() == 1

    corrected = client.post(
        sign_url(version),
        {**typed, "ods_code": "SS1", "which_organisation": "different", "suggested": riverside.pk},
    )
    assert corrected.status_code == 302
    signature = Signature.objects.get()
    assert (signature.organisation.name, signature.organisation.ods_code) == ("Southshire Care Trust", "SS1")


def test_choosing_the_organisation_the_code_belongs_to_signs_for_it(client, leader, version):
    riverside = OrganisationFactory(name="Riverside Hospitals", ods_code="RV1")
    client.force_login(leader)
    typed = form(
        on_behalf="organisation",
        organisation_name="Riverside Hosp",
        organisation_kind="trust",
        ods_code="rv1",
    )
    client.post(sign_url(version), {**typed, "which_organisation": "suggested", "suggested": riverside.pk})
    assert Signature.objects.get().organisation == riverside and Organisation.objects.count() == 1


def test_saying_the_code_is_different_without_changing_it_asks_for_the_right_code(client, leader, version):
    riverside = OrganisationFactory(name="Riverside Hospitals", ods_code="RV1")
    client.force_login(leader)
    typed = form(
        on_behalf="organisation",
        organisation_name="Southshire Care Trust",
        organisation_kind="trust",
        ods_code="RV1",
    )
    response = client.post(
        sign_url(version), {**typed, "which_organisation": "different", "suggested": riverside.pk}
    )
    assert response.status_code == 400
    assert "RV1 is the ODS code of Riverside Hospitals" in response.content.decode()
    assert not Signature.objects.exists()


# --- 4. The sign form ----------------------------------------------------------------------------------
def test_the_organisation_a_profile_names_is_never_chosen_for_the_person(client, version):
    # Anyone may type any name on a profile, and signing for an organisation is the person's
    # choice: neither answer is preselected, and the organisation is not filled in.
    client.force_login(LeaderFactory(organisation_name="Harbour NHS Trust"))
    page = client.get(sign_url(version)).content.decode()
    assert not re.search(r'value="organisation" checked', page)
    assert not re.search(r'value="personal" checked', page)
    assert 'value="Harbour NHS Trust"' not in page


def test_with_no_organisation_filled_in_nothing_is_preselected(client, version):
    client.force_login(LeaderFactory(organisation_name=""))
    page = client.get(sign_url(version)).content.decode()
    assert " checked" not in re.search(
        r'<div class="nhsuk-radios" id="id_on_behalf">.*?</fieldset>', page, re.S
    ).group(0)


def test_the_page_loads_the_look_up_script_and_has_no_inline_script(client, leader, version):
    client.force_login(leader)
    page = client.get(sign_url(version)).content.decode()
    assert 'src="/static/js/organisation-lookup.js"' in page
    assert f'data-lookup-url="{reverse("signatories:organisation_lookup")}"' in page
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)


def test_someone_who_signed_gets_a_link_to_their_receipt_instead_of_the_form(client, leader, version):
    signature = SignatureFactory(version=version, signer=leader)
    client.force_login(leader)
    page = client.get(sign_url(version)).content.decode()
    assert "You signed on" in page and "view your receipt" in page
    assert reverse("signatories:signature", kwargs={"pk": signature.pk}) in page
    assert 'name="full_name"' not in page


def test_the_same_mailbox_from_another_account_is_told_it_signed_without_the_form(client, version):
    SignatureFactory(version=version, signer=LeaderFactory(email="box@example.org"))
    client.force_login(LeaderFactory(email="box+again@example.org"))
    page = client.get(sign_url(version)).content.decode()
    assert "Your e-mail address signed this version on" in page and 'name="full_name"' not in page


# --- 5. Hostile input --------------------------------------------------------------------------------
def test_a_nul_in_a_search_is_answered_cleanly(client, staff_client, version):
    SignatureFactory(version=version, full_name="Ada Lovelace")
    assert client.get(list_url(version), {"q": "Ada\x00"}).status_code == 200
    staff_pages = [
        reverse(
            "signatories:staff_signatures", kwargs={"slug": version.compact.slug, "number": version.number}
        ),
        reverse("signatories:staff_organisations"),
    ]
    for url in staff_pages:
        assert staff_client.get(url, {"q": "\x00"}).status_code == 200
    assert client.get(reverse("signatories:organisation_lookup"), {"q": "ha\x00"}).status_code == 200


@pytest.mark.postgres
def test_a_nul_in_a_search_is_answered_cleanly_on_postgresql(client, staff_client, version):
    # PostgreSQL refuses NUL in a query string (a 500 before); SQLite never minded.
    test_a_nul_in_a_search_is_answered_cleanly(client, staff_client, version)


@pytest.mark.parametrize("chosen", ["abc", "", "999999", "１２"])
def test_posting_an_unknown_organisation_to_the_staff_page_is_a_clear_400(staff_client, chosen):
    response = staff_client.post(
        reverse("signatories:staff_organisations"), {"organisation": chosen, "verified": "1"}
    )
    assert response.status_code == 400
    assert "Choose an organisation from the list" in response.content.decode()


def test_setting_domains_is_staff_only():
    harbour = OrganisationFactory()
    with pytest.raises(services.NotAllowed):
        services.set_organisation_email_domains(
            actor=LeaderFactory(), organisation=harbour, domains="a.example"
        )
    services.set_organisation_email_domains(actor=StaffFactory(), organisation=harbour, domains="a.example")
    harbour.refresh_from_db()
    assert harbour.email_domains == ["a.example"]


def test_erasing_an_account_blanks_the_mailbox_key_and_address_hash_of_its_signatures(version):
    signer = LeaderFactory(email="box@example.org")
    services.sign(
        actor=signer, version=version, full_name="A", role="B", consent=True, client_address="192.0.2.1"
    )
    services.anonymise_signatures(signer=signer)
    signature = Signature.objects.get()
    assert (signature.email_key, signature.client_key) == ("", "")
