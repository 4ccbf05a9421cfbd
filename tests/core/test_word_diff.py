"""Proposed wording shown as a word diff reads as words: changes never run into their neighbours."""

import re

from core.text import word_diff


def as_read(html):
    """What a sighted reader sees: the marks' text without the screen-reader labels."""
    html = re.sub(r'<span class="nhsuk-u-visually-hidden">[^<]*</span>', "", html)
    return re.sub(r"<[^>]+>", "", html)


def test_a_replaced_word_and_its_replacement_are_kept_apart_by_a_space():
    diff = word_diff("We protect the time of staff.", "We protect the agreed time of staff.")
    assert as_read(diff) == "We protect the agreed time of staff."
    diff = word_diff("We protect the time of staff.", "We guard the time of staff.")
    assert "protectguard" not in as_read(diff)
    assert as_read(diff) == "We protect guard the time of staff."
    assert "</del> <ins" in diff


def test_removed_and_added_words_carry_no_spaces_inside_their_marks():
    diff = word_diff("Leaders listen to staff.", "Leaders hear staff.")
    assert (
        '<ins class="app-diff__added"><span class="nhsuk-u-visually-hidden">added: </span>hear</ins>' in diff
    )
    assert "removed: </span>listen to</del>" in diff
    assert as_read(diff) == "Leaders listen to hear staff."


def test_a_word_taken_out_leaves_one_space_between_its_neighbours():
    assert as_read(word_diff("the cat sat down", "the cat sat")) == "the cat sat down"
    assert as_read(word_diff("the big cat sat", "the cat sat")) == "the big cat sat"


def test_text_is_escaped():
    assert "&lt;b&gt;" in word_diff("plain", "<b>bold</b>")
