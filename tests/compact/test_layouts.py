"""Real compacts come in several layouts: themes in columns (some themes for one party only),
columns without themes, and paired rows. Each is drafted through the services and the drafting
page, and reads on the public page with every commitment once, under the right heading."""

import re

import pytest
from django.urls import reverse

from compact import services
from compact.comparison import compare
from compact.errors import DomainError
from compact.models import Commitment, Section, Theme, Version

pytestmark = pytest.mark.django_db


# --- helpers ----------------------------------------------------------------------------------
def new_draft(staff, layout, parties=("The Trust", "Our staff")):
    compact = services.create_compact(
        actor=staff,
        title=f"A {layout} compact",
        vision="Work that is good for everyone.",
        party_names=parties,
    )
    version = compact.versions.get()
    if layout != version.layout:
        services.change_layout(actor=staff, version=version, layout=layout)
    version.refresh_from_db()
    return version


def party(version, name):
    return version.parties.get(name=name)


def theme(staff, version, title, *holders):
    return services.add_part(
        actor=staff,
        version=version,
        model=Theme,
        title=title,
        party_keys=[str(h.key) for h in holders],
    )


def commit(staff, version, by, text, theme=None, row=None):
    fields = {"party": by, "text": text, "theme": theme}
    if row is not None:
        fields["row"] = row
    return services.add_part(actor=staff, version=version, model=Commitment, **fields)


def publish(staff, version):
    services.ratify(actor=staff, version=version)
    return services.publish(actor=staff, version=version, note="Agreed.")


def public_page(client, version):
    response = client.get(version.compact.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def blocks(html):
    """The theme blocks of a public page, as HTML strings, in order."""
    return re.findall(r'<section class="app-theme".*?</section>', html, flags=re.S)


def headings(block):
    return [h.strip() for h in re.findall(r'<h3 class="[^"]*app-column__heading">(.*?)</h3>', block)]


def pair_rows(block):
    return re.findall(r'<tr class="nhsuk-table__row app-pair">.*?</tr>', block, flags=re.S)


def draft_url(version):
    return reverse("compact:staff_version", kwargs={"slug": version.compact.slug, "number": version.number})


def add_url(version, kind):
    return reverse(
        "compact:staff_part_add",
        kwargs={"slug": version.compact.slug, "number": version.number, "kind": kind},
    )


def edit_url(version, kind, part):
    return reverse(
        "compact:staff_part_edit",
        kwargs={"slug": version.compact.slug, "number": version.number, "kind": kind, "pk": part.pk},
    )


# --- each layout reads right on the public page ---------------------------------------------------
def test_themes_for_one_party_read_full_width_under_that_partys_heading_only(staff, client):
    version = new_draft(staff, Version.Layout.THEMES)
    trust, people = party(version, "The Trust"), party(version, "Our staff")
    services.change_part(actor=staff, part=trust, heading="We give")
    pay = theme(staff, version, "Pay and reward", trust)
    conduct = theme(staff, version, "Conduct", people)
    shared = theme(staff, version, "Working together")
    commit(staff, version, trust, "Fair pay reviewed every year.", pay)
    commit(staff, version, people, "Treat colleagues with respect.", conduct)
    commit(staff, version, trust, "Listen before deciding.", shared)
    commit(staff, version, people, "Speak up when something is wrong.", shared)
    publish(staff, version)

    html = public_page(client, version)
    for text in (
        "Fair pay reviewed every year.",
        "Treat colleagues with respect.",
        "Listen before deciding.",
        "Speak up when something is wrong.",
    ):
        assert html.count(text) == 1, text
    pay_block, conduct_block, shared_block = blocks(html)
    assert "Pay and reward" in pay_block and headings(pay_block) == ["We give"]
    assert "nhsuk-grid-column-full" in pay_block
    assert headings(conduct_block) == ["Our staff"]
    assert headings(shared_block) == ["We give", "Our staff"]
    assert "No commitments" not in html


def test_a_compact_without_themes_reads_as_one_column_per_party(staff, client):
    version = new_draft(staff, Version.Layout.PARTIES)
    trust, people = party(version, "The Trust"), party(version, "Our staff")
    services.change_part(actor=staff, part=people, heading="What you can expect from us")
    commit(staff, version, trust, "Protected time to learn.")
    commit(staff, version, people, "Come ready to learn.")
    commit(staff, version, people, "Share what we learn.")
    publish(staff, version)

    html = public_page(client, version)
    (block,) = blocks(html)
    assert headings(block) == ["The Trust", "What you can expect from us"]
    for text in ("Protected time to learn.", "Come ready to learn.", "Share what we learn."):
        assert html.count(text) == 1
    trust_column, people_column = block.split('app-column__heading">')[1:]
    assert "Protected time to learn." in trust_column and "Come ready" not in trust_column
    assert "Come ready to learn." in people_column and "Share what we learn." in people_column
    assert "No commitments" not in html


def test_paired_rows_keep_each_pair_in_one_table_row(staff, client):
    version = new_draft(staff, Version.Layout.ROWS)
    trust, people = party(version, "The Trust"), party(version, "Our staff")
    services.change_part(actor=staff, part=trust, heading="We give")
    services.change_part(actor=staff, part=people, heading="We get")
    commit(staff, version, trust, "A safe place to work.")
    commit(staff, version, people, "Safety taken seriously.")
    commit(staff, version, trust, "Time for training.")
    commit(staff, version, people, "Skills that grow.")
    publish(staff, version)

    html = public_page(client, version)
    (block,) = blocks(html)
    first, second = pair_rows(block)
    assert "A safe place to work." in first and "Safety taken seriously." in first
    assert "Time for training." in second and "Skills that grow." in second
    for text in (
        "A safe place to work.",
        "Safety taken seriously.",
        "Time for training.",
        "Skills that grow.",
    ):
        assert html.count(text) == 1
    # The column's heading, led (on a phone, where the cards name the party) by the party's name.
    assert (
        '<th scope="col" class="nhsuk-table__header"><span class="app-pairs__party">The Trust</span> We give</th>'
        in block
    )
    assert "No commitments" not in html


def test_paired_rows_under_themes_pair_within_each_theme(staff, client):
    version = new_draft(staff, Version.Layout.ROWS)
    trust, people = party(version, "The Trust"), party(version, "Our staff")
    wellbeing = theme(staff, version, "Wellbeing")
    growth = theme(staff, version, "Growth")
    commit(staff, version, trust, "Rest areas on every ward.", wellbeing, row=1)
    commit(staff, version, people, "Take our breaks.", wellbeing, row=1)
    commit(staff, version, trust, "A mentor for every starter.", growth, row=1)
    commit(staff, version, people, "Mentor the next starter.", growth, row=1)
    publish(staff, version)

    wellbeing_block, growth_block = blocks(public_page(client, version))
    (pair,) = pair_rows(wellbeing_block)
    assert "Rest areas on every ward." in pair and "Take our breaks." in pair
    (pair,) = pair_rows(growth_block)
    assert "A mentor for every starter." in pair and "Mentor the next starter." in pair


# --- comparison ---------------------------------------------------------------------------------
def test_comparison_says_the_layout_heading_placement_and_theme_parties_changed(staff, client):
    version = new_draft(staff, Version.Layout.THEMES)
    trust, people = party(version, "The Trust"), party(version, "Our staff")
    shared = theme(staff, version, "Working together")
    commit(staff, version, trust, "Listen before deciding.", shared)
    services.add_part(
        actor=staff, version=version, model=Section, kind="other", heading="Notes", body="Reviewed yearly."
    )
    publish(staff, version)
    draft = services.start_new_draft(actor=staff, compact=version.compact)
    services.change_layout(actor=staff, version=draft, layout=Version.Layout.ROWS)
    services.change_part(actor=staff, part=draft.parties.get(key=trust.key), heading="We give")
    services.change_part(actor=staff, part=draft.sections.get(), placement=Section.Placement.AFTER)
    services.change_part(actor=staff, part=draft.themes.get(), party_keys=[str(trust.key)])
    publish(staff, draft)

    draft.refresh_from_db()
    comparison = compare(version, draft)
    assert "Layout changed from themes in columns to paired rows." in comparison.structure
    html = client.get(reverse("compact:compare", kwargs={"slug": version.compact.slug})).content.decode()
    assert "Layout changed from themes in columns to paired rows." in html
    assert "The column heading “The Trust” changed to “We give”." in html
    assert "Section “Notes”: moved after the commitments" in html
    assert "The theme “Working together” now holds the commitments of The Trust (was every party)." in html
    assert people.name not in comparison.structure[-1]


def test_comparison_and_history_handle_commitments_without_a_theme(staff, client):
    version = new_draft(staff, Version.Layout.PARTIES)
    trust, people = party(version, "The Trust"), party(version, "Our staff")
    kept = commit(staff, version, trust, "Protected time to learn.")
    commit(staff, version, people, "Come ready to learn.")
    publish(staff, version)
    draft = services.start_new_draft(actor=staff, compact=version.compact)
    services.change_part(
        actor=staff, part=draft.commitments.get(key=kept.key), text="Protected time to learn, every month."
    )
    publish(staff, draft)

    response = client.get(reverse("compact:compare", kwargs={"slug": version.compact.slug}))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Reworded" in html and '<h3 class="nhsuk-heading-s">The Trust</h3>' in html
    assert "From version 1 to version 2: 1 reworded; 1 unchanged." in html
    # Only the column with a change has a heading; the unchanged column is not shown empty.
    assert '<h3 class="nhsuk-heading-s">Our staff</h3>' not in html
    history = client.get(
        reverse("compact:commitment_history", kwargs={"slug": version.compact.slug, "key": kept.key})
    )
    assert history.status_code == 200
    assert "Protected time to learn, every month." in history.content.decode()


# --- readable refusals ---------------------------------------------------------------------------
def test_a_theme_cannot_name_a_party_of_another_version(staff):
    version = new_draft(staff, Version.Layout.THEMES)
    other = new_draft(staff, Version.Layout.THEMES, parties=("A", "B"))
    with pytest.raises(DomainError, match="not a party here"):
        theme(staff, version, "Pay", party(other, "A"))


def test_a_party_with_commitments_under_a_theme_cannot_be_left_out_of_it(staff):
    version = new_draft(staff, Version.Layout.THEMES)
    trust, people = party(version, "The Trust"), party(version, "Our staff")
    shared = theme(staff, version, "Working together")
    commit(staff, version, people, "Speak up.", shared)
    with pytest.raises(DomainError, match="still has commitments under “Working together”"):
        services.change_part(actor=staff, part=shared, party_keys=[str(trust.key)])


def test_a_row_number_below_one_is_refused(staff):
    version = new_draft(staff, Version.Layout.ROWS)
    with pytest.raises(DomainError, match="row number of 1 or more"):
        commit(staff, version, party(version, "The Trust"), "A safe place.", row=0)


def test_two_commitments_of_one_party_cannot_share_a_pair(staff):
    version = new_draft(staff, Version.Layout.ROWS)
    trust = party(version, "The Trust")
    commit(staff, version, trust, "A safe place.", row=1)
    second = commit(staff, version, trust, "Time to train.")
    assert second.row == 2
    with pytest.raises(DomainError, match="Row 1 already has a commitment of “The Trust”"):
        commit(staff, version, trust, "Fair pay.", row=1)
    with pytest.raises(DomainError, match="Row 1 already has a commitment of “The Trust”"):
        services.change_part(actor=staff, part=second, row=1)


# --- the drafting page -----------------------------------------------------------------------------
def test_staff_set_a_partys_column_heading_on_the_drafting_page(staff, staff_client):
    version = new_draft(staff, Version.Layout.THEMES)
    trust = party(version, "The Trust")
    page = staff_client.get(draft_url(version)).content.decode()
    assert "leave blank for the party’s name (“The Trust”)." in page
    response = staff_client.post(
        edit_url(version, "parties", trust), {"name": "The Trust", "heading": " We give "}
    )
    assert response["Location"].endswith(f"#party-{trust.pk}")
    trust.refresh_from_db()
    assert trust.heading == "We give" and trust.column_heading == "We give"


def test_staff_choose_the_layout_and_a_refusal_is_shown_in_an_error_summary(staff, staff_client):
    version = new_draft(staff, Version.Layout.THEMES)
    shared = theme(staff, version, "Working together")
    commit(staff, version, party(version, "The Trust"), "Listen first.", shared)
    layout_url = reverse("compact:staff_layout", kwargs={"slug": version.compact.slug, "number": 1})

    response = staff_client.post(layout_url, {"layout": "parties"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in html and "Remove the themes" in html
    version.refresh_from_db()
    assert version.layout == Version.Layout.THEMES

    response = staff_client.post(layout_url, {"layout": "rows"})
    assert response["Location"].endswith("#layout-heading")
    page = staff_client.get(response["Location"]).content.decode()
    assert "Layout saved: paired rows: each row pairs what the parties give each other." in page
    version.refresh_from_db()
    assert version.layout == Version.Layout.ROWS


def test_staff_choose_a_themes_parties_and_a_sections_placement(staff, staff_client):
    version = new_draft(staff, Version.Layout.THEMES)
    trust = party(version, "The Trust")
    response = staff_client.post(
        add_url(version, "themes"),
        {"title": "Pay and reward", "description": "", "parties": [str(trust.key)]},
    )
    pay = version.themes.get(title="Pay and reward")
    assert response["Location"].endswith(f"#theme-{pay.pk}")
    assert pay.party_keys == [str(trust.key)]
    form = staff_client.get(edit_url(version, "themes", pay)).content.decode()
    assert "Whose commitments does this theme hold?" in form and "None ticked = every party." in form

    staff_client.post(
        add_url(version, "sections"),
        {"kind": "other", "heading": "Notes", "body": "Reviewed yearly.", "placement": "after"},
    )
    assert version.sections.get().placement == Section.Placement.AFTER


def test_staff_give_a_commitment_a_row_and_a_taken_row_is_refused_keeping_the_wording(staff, staff_client):
    version = new_draft(staff, Version.Layout.ROWS)
    trust, people = party(version, "The Trust"), party(version, "Our staff")
    commit(staff, version, trust, "A safe place.")
    second = commit(staff, version, trust, "Time to train.")
    given = commit(staff, version, people, "Training taken up.")

    response = staff_client.post(
        edit_url(version, "commitments", given),
        {"party": people.pk, "text": "Training taken up.", "row": "2"},
    )
    assert response.status_code == 302
    given.refresh_from_db()
    assert given.row == 2
    page = staff_client.get(draft_url(version)).content.decode()
    (pair,) = [row for row in pair_rows(page) if "Row 2" in row]
    assert "Time to train." in pair and "Training taken up." in pair

    response = staff_client.post(
        edit_url(version, "commitments", second),
        {"party": trust.pk, "text": "Time to train, reworded.", "row": "1"},
    )
    assert response.status_code == 400
    assert "Row 1 already has a commitment of “The Trust”" in response.content.decode()
    assert "Time to train, reworded." in response.content.decode()


def test_staff_add_several_commitments_at_once_after_checking_how_many(staff, staff_client):
    version = new_draft(staff, Version.Layout.THEMES)
    people = party(version, "Our staff")
    shared = theme(staff, version, "Working together")
    data = {
        "theme": shared.pk,
        "party": people.pk,
        "text": "Speak up.\n\nListen well.\r\nSupport new starters.",
        "several": "on",
    }
    check = staff_client.post(add_url(version, "commitments"), data | {"action": "check"})
    html = check.content.decode()
    assert check.status_code == 200 and "This will add 3 commitments." in html and "Add them" in html
    assert not version.commitments.exists()

    response = staff_client.post(add_url(version, "commitments"), data | {"action": "add"})
    assert response["Location"].endswith(f"#column-{shared.pk}-{people.pk}")
    assert list(version.commitments.order_by("position").values_list("text", flat=True)) == [
        "Speak up.",
        "Listen well.",
        "Support new starters.",
    ]
    page = staff_client.get(response["Location"].split("#")[0]).content.decode()
    assert f'id="column-{shared.pk}-{people.pk}"' in page and "Added 3 commitments." in page


def test_a_commitment_added_without_themes_goes_in_without_a_theme(staff, staff_client):
    version = new_draft(staff, Version.Layout.PARTIES)
    trust = party(version, "The Trust")
    form = staff_client.get(add_url(version, "commitments") + f"?party={trust.pk}").content.decode()
    assert 'name="theme"' not in form
    response = staff_client.post(
        add_url(version, "commitments"), {"party": trust.pk, "text": "Learn together."}
    )
    assert response["Location"].endswith(f"#column-none-{trust.pk}")
    assert version.commitments.get().theme is None


def test_a_commitment_without_a_theme_in_a_themed_layout_is_refused_keeping_the_wording(staff, staff_client):
    version = new_draft(staff, Version.Layout.THEMES)
    trust = party(version, "The Trust")
    response = staff_client.post(
        add_url(version, "commitments"), {"party": trust.pk, "text": "Learn together."}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in html and "Add a theme first" in html and "Learn together." in html
    assert not version.commitments.exists()


def test_a_one_party_theme_on_the_drafting_page_has_no_empty_half_column(staff, staff_client):
    version = new_draft(staff, Version.Layout.THEMES)
    trust = party(version, "The Trust")
    pay = theme(staff, version, "Pay and reward", trust)
    commit(staff, version, trust, "Fair pay.", pay)
    page = staff_client.get(draft_url(version)).content.decode()
    block = page.split(f'id="theme-{pay.pk}"')[1].split('class="app-theme"')[0]
    assert ">The Trust</h4>" in block and ">Our staff</h4>" not in block
    assert "nhsuk-grid-column-full" in block


def test_in_paired_rows_moving_a_commitment_moves_its_pair_without_javascript(staff, staff_client):
    version = new_draft(staff, Version.Layout.ROWS)
    trust, people = party(version, "The Trust"), party(version, "Our staff")
    commit(staff, version, trust, "A safe place.")
    commit(staff, version, people, "Safety taken seriously.")
    second = commit(staff, version, trust, "Time to train.")
    partner = commit(staff, version, people, "Skills that grow.")
    page = staff_client.get(draft_url(version)).content.decode()
    assert "Move pair up" in page

    move = reverse(
        "compact:staff_part_move",
        kwargs={"slug": version.compact.slug, "number": 1, "kind": "commitments", "pk": second.pk},
    )
    response = staff_client.post(move, {"direction": "up"})
    assert response["Location"].endswith(f"#commitment-{second.pk}")
    page = staff_client.get(draft_url(version)).content.decode()
    first_pair, second_pair = pair_rows(page)
    assert "Time to train." in first_pair and "Skills that grow." in first_pair
    assert "A safe place." in second_pair and "Safety taken seriously." in second_pair
    partner.refresh_from_db()
    assert partner.row == 1


def test_a_new_themed_draft_asks_for_a_theme_before_offering_commitments(staff, staff_client):
    version = new_draft(staff, Version.Layout.THEMES)
    page = staff_client.get(draft_url(version)).content.decode()
    assert "No themes yet. Add a theme, then the commitments under it." in page
    assert "Add a commitment" not in page


def test_a_round_on_a_compact_without_themes_opens_and_shows_its_commitments(staff, leader, client):
    from tests.consultation.factories import open_round

    version = new_draft(staff, Version.Layout.PARTIES)
    commit(staff, version, party(version, "The Trust"), "Protected time to learn.")
    commit(staff, version, party(version, "Our staff"), "Come ready to learn.")
    round = open_round(staff=staff, version=version)
    client.force_login(leader)
    response = client.get(reverse("consultation:round", kwargs={"pk": round.pk}))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Protected time to learn." in html and "Come ready to learn." in html
    # A new commitment is proposed for a party: no empty theme in the link.
    assert "theme=&amp;" not in html
    assert html.count("kind=new&amp;party=") == 2


def test_parts_without_a_name_or_with_a_taken_one_are_refused_in_words(staff):
    from compact.models import Party

    version = new_draft(staff, Version.Layout.THEMES)
    with pytest.raises(DomainError, match="already has a party called “the trust”"):
        services.add_part(actor=staff, version=version, model=Party, name="the trust")
    theme(staff, version, "Pay")
    with pytest.raises(DomainError, match="already has a theme called “Pay”"):
        services.add_part(actor=staff, version=version, model=Theme, title="Pay")
    with pytest.raises(DomainError, match="Enter the text of the section"):
        services.add_part(actor=staff, version=version, model=Section, heading="Notes", body=" ")
    with pytest.raises(DomainError, match="Enter the name of the party"):
        services.change_part(actor=staff, part=party(version, "Our staff"), name="")


def test_removing_a_commitment_returns_to_its_column(staff, staff_client):
    version = new_draft(staff, Version.Layout.PARTIES)
    trust = party(version, "The Trust")
    gone = commit(staff, version, trust, "Learn together.")
    remove = reverse(
        "compact:staff_part_remove",
        kwargs={"slug": version.compact.slug, "number": 1, "kind": "commitments", "pk": gone.pk},
    )
    response = staff_client.post(remove)
    assert response["Location"].endswith(f"#column-none-{trust.pk}")
    assert not version.commitments.exists()


def test_several_commitments_are_added_all_or_none(staff, staff_client):
    version = new_draft(staff, Version.Layout.ROWS)
    trust = party(version, "The Trust")
    commit(staff, version, trust, "Already in row 2.", row=2)
    response = staff_client.post(
        add_url(version, "commitments"),
        {"party": trust.pk, "text": "First.\nSecond.", "several": "on", "row": "1", "action": "add"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Row 2 already has a commitment of “The Trust”" in html and "First.\nSecond." in html
    assert version.commitments.count() == 1
