"""The three journeys, as people do them: by clicking and typing, in Debian's Chromium.

Each runs with JavaScript, without it, and at a 375-pixel-wide viewport; every page is checked
with axe-core against WCAG 2.2 A and AA (where JavaScript runs), and must have a skip link and a
title of its own.
"""

import io
import re
from pathlib import Path

import pytest
from django.core import mail
from pypdf import PdfReader

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

DEMO_PASSWORD = "compact-demo-2026"


def link_from_mail(pattern):
    for message in reversed(mail.outbox):
        found = re.search(pattern, message.body)
        if found:
            return found.group(0)
    raise AssertionError(f"no e-mail with a link matching {pattern}")


def path_of(url):
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def focused_class(visitor):
    """With JavaScript, nhsuk-frontend moves focus to the error summary or success banner."""
    return visitor.page.evaluate("document.activeElement && document.activeElement.className") or ""


def assert_focus_on(visitor, css_class):
    if visitor.javascript:
        assert css_class in focused_class(visitor), focused_class(visitor)


def assert_words_apart_in_diffs(page):
    """A removed word never touches the word that replaced it ("theprotected")."""
    for text in page.locator(".app-diff").all_inner_texts():
        assert not re.search(r"\w(removed|added): ", text), text


def sign_in(visitor, email):
    page = visitor.page
    visitor.go("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    visitor.click(page.get_by_role("button", name="Sign In"))


def test_leader_signs_up_comments_proposes_and_votes(visitor, demo):
    page = visitor.page
    visitor.go("/accounts/signup/")
    page.get_by_label("Email").fill("new.leader@example.org")
    page.get_by_label("Password", exact=True).fill("a-long-and-secret-phrase")
    page.get_by_label("Password (again)").fill("a-long-and-secret-phrase")
    page.get_by_label("Full name").fill("Nadia Newleader")
    page.get_by_label("Job title").fill("Chief nurse")
    page.get_by_label("Organisation").fill("Seaside NHS Trust")
    visitor.click(page.get_by_role("button", name="Sign Up"))

    visitor.go(path_of(link_from_mail(r"https?://\S+/accounts/confirm-email/\S+")))
    visitor.click(page.get_by_role("button", name="Confirm"))
    if page.get_by_label("Password").count():
        page.get_by_label("Email").fill("new.leader@example.org")
        page.get_by_label("Password").fill("a-long-and-secret-phrase")
        visitor.click(page.get_by_role("button", name="Sign In"))

    visitor.go("/compacts/leadership-compact/")
    visitor.click(page.get_by_role("link", name="Take part in the consultation"))
    assert "You have voted on 0 of" in page.content()

    # A comment on the whole compact, and a reply to it — by keyboard.
    visitor.press_enter(page.get_by_role("link", name="Comments on the whole compact"))
    page.get_by_label("Your comment").fill("The vision should *name* the pressure we are under.")
    visitor.press_enter(page.get_by_role("button", name="Post comment"))
    assert "Your comment is posted" in page.content()
    page.locator("summary", has_text="Reply").first.click()
    page.get_by_label("Your reply").first.fill("Replying to keep the thread going.")
    visitor.click(page.get_by_role("button", name="Post reply").first)
    assert "Replying to keep the thread going." in page.content()

    # Propose other wording for a commitment.
    visitor.click(page.get_by_role("link", name=re.compile(r"^Back to ")))
    visitor.click(page.get_by_role("link", name=re.compile("^Discuss or propose a change")).first)
    visitor.click(page.get_by_role("link", name="Propose other wording"))
    page.get_by_label("Your wording").fill(
        "We will make it safe for every member of staff to speak up, and act on what we hear."
    )
    page.get_by_label("Why this change?").fill("Speaking up matters only if something happens next.")
    visitor.click(page.get_by_role("button", name="Publish the proposal"))
    assert "is published" in page.content()

    # Saving without choosing: the problem is beside the options and linked from the summary.
    round_path = f"/rounds/{demo.pk}/"
    visitor.go(round_path)
    assert page.locator("progress.app-progress__bar").count() == 1
    assert_words_apart_in_diffs(page)
    visitor.click(page.get_by_role("link", name=re.compile("^Compare wordings and vote")).first)
    assert page.locator("#progress").count() == 1, "progress on every round page"
    # The button stands clear of the last option's hint.
    options = page.locator("form .nhsuk-radios").first.bounding_box()
    button = page.get_by_role("button", name="Save my vote").bounding_box()
    assert button["y"] - (options["y"] + options["height"]) >= 16
    visitor.click(page.get_by_role("button", name="Save my vote"))
    assert_focus_on(visitor, "nhsuk-error-summary")
    summary_link = page.locator(
        ".nhsuk-error-summary a", has_text="Choose an option before saving your vote."
    )
    assert summary_link.get_attribute("href") == "#choice-current"
    assert page.locator("#choice-error").count() == 1

    # Vote on three questions, then change one vote; each saved vote offers the next question.
    for _ in range(2):
        visitor.go(round_path)
        visitor.click(page.get_by_role("link", name=re.compile("^Compare wordings and vote")).first)
        page.locator("input[name=choice]").nth(1).check()
        visitor.click(page.get_by_role("button", name="Save my vote"))
        assert "Your vote is saved" in page.content()
        assert_focus_on(visitor, "nhsuk-notification-banner")
        assert (
            page.get_by_role("link", name=re.compile("^Next (commitment|proposal) to vote on")).count() == 1
        )
    visitor.go(round_path)
    visitor.click(page.get_by_role("link", name=re.compile("^Read and vote")).first)
    page.get_by_label("Support").check()
    visitor.click(page.get_by_role("button", name="Save my vote"))

    # A removal proposal is voted on from its own link, and the round page shows the vote.
    visitor.go(round_path)
    visitor.click(page.get_by_role("link", name=re.compile("^Vote on removing it")).first)
    page.get_by_label("Oppose").check()
    visitor.click(page.get_by_role("button", name="Save my vote"))
    visitor.go(round_path)
    assert "You have voted on removing it." in page.content()

    visitor.click(page.get_by_role("link", name=re.compile("^Change your vote on its wording")).first)
    page.get_by_label(re.compile("Keep the current wording")).check()
    visitor.click(page.get_by_role("button", name="Change my vote"))

    visitor.go(round_path)
    progress = page.locator("#progress").inner_text()
    assert re.fullmatch(r"You have voted on 4 of \d+\.", progress), progress

    # A participant compares the draft with the published text, and opens a commitment's history.
    visitor.click(page.get_by_role("link", name=re.compile("^Compare this draft with the published version")))
    assert "There is only one version" not in page.content()
    visitor.go(round_path)
    visitor.click(page.get_by_role("link", name=re.compile("^History of this commitment")).first)
    assert page.get_by_role("heading", name="History of a commitment").count() == 1
    visitor.assert_unique_titles()


def test_organisation_signs_confirms_and_finds_itself_on_the_list_and_in_the_pdf(visitor, demo):
    page = visitor.page
    sign_in(visitor, "leader@example.org")
    visitor.go("/compacts/leadership-compact/")
    visitor.click(page.get_by_role("link", name="Sign the compact").first)
    page.get_by_label("Your full name").fill("Olu Organisation")
    page.get_by_label("Your role").fill("Chair")
    page.get_by_label("On behalf of an organisation").check()
    page.get_by_label("Organisation name").fill("Brand New Community NHS Trust")
    page.get_by_label("Kind of organisation").select_option("trust")
    page.get_by_label("ODS code (optional)").fill("rzz")
    page.get_by_label("Region").select_option("london")
    page.get_by_label(re.compile("I agree to my name")).check()
    visitor.click(page.get_by_role("button", name="Sign the compact"))
    assert "Check your e-mail" in page.content()

    visitor.go(path_of(link_from_mail(r"https?://\S+/signatures/confirm/\S+/")))
    visitor.click(page.get_by_role("button", name="Confirm my signature"))
    # Anyone can type an organisation's name: the signature waits until staff verify it.
    assert "now awaits Brand New Community NHS Trust's verification" in page.content()
    visitor.click(page.get_by_role("link", name="See the signatories"))
    page.get_by_label("Search by name or organisation").fill("Brand New Community")
    visitor.click(page.get_by_role("button", name="Search"))
    assert "Olu Organisation" not in page.content()

    visitor.click(page.get_by_role("button", name="Sign out"))
    sign_in(visitor, "staff@example.org")
    visitor.go("/staff/signatures/to-check/")
    visitor.click(
        page.get_by_role("button", name="Approve Olu Organisation for Brand New Community NHS Trust")
    )
    assert "the signature now counts" in page.content()
    visitor.go("/compacts/leadership-compact/versions/2/signatories/?q=Brand+New+Community")
    assert "Olu Organisation" in page.content()

    visitor.go("/compacts/leadership-compact/")
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("^Download the compact as a PDF")).click()
    content = Path(download.value.path()).read_bytes()
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    assert "Olu Organisation" in text and "Brand New Community NHS Trust" in text
    visitor.assert_unique_titles()


def test_staff_moderate_close_apply_edit_consult_ratify_and_publish(visitor, demo):
    from accounts.models import User
    from consultation import services
    from consultation.models import Comment

    leader2, leader3 = (
        User.objects.get(email="leader2@example.org"),
        User.objects.get(email="leader3@example.org"),
    )
    rude = services.post_comment(actor=leader2, round=demo, body="This is a rude and personal remark.")
    services.report_comment(actor=leader3, comment=rude, reason="Personal attack")

    page = visitor.page
    sign_in(visitor, "staff@example.org")
    # The dashboard says what needs doing and links to it.
    visitor.go("/staff/")
    assert "Reported comments: 1" in page.content() and "Rounds open: 1" in page.content()
    visitor.click(page.get_by_role("link", name="Moderation queue"))
    assert "1 comment is waiting" in page.content() and "0 reports" not in page.content()
    assert page.get_by_role("button", name="Hide the comment").count() == 1
    page.get_by_label("Reason for hiding (shown in its place)").first.fill("Not respectful")
    visitor.click(page.get_by_role("button", name="Hide the comment").first)
    assert Comment.objects.get(pk=rude.pk).is_hidden

    # Closing early is asked for on a page of its own; a missing reason is linked to its field.
    visitor.go(f"/staff/rounds/{demo.pk}/")
    visitor.click(page.get_by_role("link", name="Close the round early"))
    visitor.click(page.get_by_role("button", name="Close the round now"))
    assert_focus_on(visitor, "nhsuk-error-summary")
    assert page.locator(".nhsuk-error-summary a").first.get_attribute("href") == "#id_reason"
    page.get_by_label("Why are you closing the round early?").fill("The board meets next week.")
    visitor.click(page.get_by_role("button", name="Close the round now"))
    assert "Closed early on" in page.content()

    # Results in plain words; overriding reveals its fields; applying is confirmed first.
    visitor.click(page.get_by_role("link", name="Review and apply the results"))
    assert "proposal:" not in page.locator("main").inner_text()
    assert_words_apart_in_diffs(page)
    first = page.locator("section.app-result-decision").first
    # The override fields show only once "override" is chosen (without JavaScript, always).
    assert first.locator("textarea").is_visible() == (not visitor.javascript)
    first.get_by_label(re.compile("^(Override the leaders’ choice|Decide which option stands)")).check()
    assert first.locator("textarea").is_visible()
    first.locator("select").select_option("current")
    first.locator("textarea").fill("The board wants the original wording kept for now.")
    for tie in page.locator("section.app-result-decision").all()[1:]:
        if tie.get_by_label(re.compile("^Decide which option stands")).count():
            tie.locator("select").select_option("current")
            tie.locator("textarea").fill("A tie: staff keep the status quo.")
    visitor.click(page.get_by_role("button", name="Continue"))
    assert "This can be done once" in page.content()
    visitor.click(page.get_by_role("button", name="Apply the results and create the next draft"))
    assert "Change log" in page.content()
    assert "staff override, reason: The board wants the original wording kept for now." in page.content()

    visitor.click(page.get_by_role("link", name="Change the shared vision"))
    page.get_by_label("Shared vision").fill("Every leader is supported to lead with compassion, and heard.")
    visitor.click(page.get_by_role("button", name=re.compile("^Save")))
    assert "and heard." in page.content()

    visitor.click(page.get_by_role("link", name="Open a consultation round on this draft"))
    page.get_by_label("Title of the round").fill("A short check before ratifying")
    visitor.click(page.get_by_role("button", name="Schedule the round"))
    assert "is open" in page.content()
    visitor.click(page.get_by_role("link", name="Close the round early"))
    page.get_by_label("Why are you closing the round early?").fill("No more changes are expected.")
    visitor.click(page.get_by_role("button", name="Close the round now"))
    visitor.click(page.get_by_role("link", name="Review and apply the results"))
    visitor.click(page.get_by_role("button", name="Continue"))
    visitor.click(page.get_by_role("button", name="Apply the results and create the next draft"))

    visitor.click(page.get_by_role("link", name="Ratify this version"))
    visitor.click(page.get_by_role("button", name=re.compile("^Ratify version")))
    visitor.click(page.get_by_role("link", name="Publish this version"))
    page.get_by_label("Publication note").fill("Refreshed with leaders in the spring round.")
    visitor.click(page.get_by_role("button", name=re.compile("^Publish version")))
    assert "Refreshed with leaders in the spring round." in page.content()
    # Each of the two rounds made the next draft: the round's version + 2 is now the published one.
    published = demo.version.compact.versions.get(status="published")
    assert published.number == demo.version.number + 2
    assert f"Version {published.number}" in page.content()
    # The audit trail names what was acted on as a person would.
    visitor.go(f"/staff/compacts/{published.compact.slug}/audit/")
    assert "the consultation round “" in page.content() and "consultation.round" not in page.content()
    visitor.assert_unique_titles()


def test_visitor_follows_how_the_compact_changed(visitor, demo):
    page = visitor.page
    visitor.go("/")
    assert "Consultation open" in page.content()
    assert "Administration" not in page.content()
    visitor.click(page.get_by_role("link", name="The Leadership Compact"))
    # The text the first round consulted on is public, so the comparison has two versions.
    visitor.click(page.get_by_role("link", name=re.compile("^See what changed from version")))
    assert "There is only one version" not in page.content()
    assert "reworded" in page.content()
    assert_words_apart_in_diffs(page)
    # No party heading with nothing under it.
    for changes in page.locator("ul.app-changes").all():
        assert changes.locator("li.app-change").count() > 0
    visitor.click(page.get_by_role("link", name=re.compile("^History of this commitment")).first)
    assert "Version 1" in page.content() and "Version 2" in page.content()
    visitor.click(page.get_by_role("link", name="Version 1"))
    assert "The text leaders were consulted on" in page.content()

    # The compact page links each commitment to its history.
    visitor.go("/compacts/leadership-compact/")
    visitor.click(page.locator("a.app-history-link").first)
    assert page.get_by_role("heading", name="History of a commitment").count() == 1
    visitor.assert_unique_titles()
