"""Reading an outline takes time in proportion to its length, whatever is in it (issue 34, item 12).

An import is up to 512 kB of text typed by anyone with staff access; before, a first line of
"# a", 60,000 spaces and "b" took 30 s (a pattern that tried every split of the spaces), and other
shapes were quadratic in their number of lines. Each outline here is near the size limit and must
be read in seconds; the test waits five at most, in a thread, so a regression fails rather than hangs.
"""

import threading

import pytest

from compact.import_views import MAX_FILE_BYTES
from compact.interchange import parse

SPACES = " " * (MAX_FILE_BYTES - 100)
LINES = MAX_FILE_BYTES // 20
VALID_TOP = "# T\n## Vision\nv\n## Parties\n- The Trust\n- The Board\n"

OUTLINES = {
    "a title with a long run of spaces inside it": "# a" + SPACES + "b",
    "a header line with a long run of spaces inside it": "# T\nSummary: a" + SPACES + "b",
    "a party with a long run of spaces before its end": "# T\n## Parties\n- a" + SPACES + "b",
    "a commitment with a long run of spaces before its end": VALID_TOP
    + "## Commitments\n### The Trust\n- a"
    + SPACES
    + "b",
    "a vision of blank lines": "# T\n## Vision\n" + "\n" * LINES * 10 + "x",
    "a commitment of many continuation lines": VALID_TOP
    + "## Commitments\n### The Trust\n- x\n"
    + " y\n" * LINES * 3,
    "many row headings": "# T\nLayout: rows\n"
    + VALID_TOP[4:]
    + "## Commitments\n"
    + "### Row\n- The Trust: x\n" * (LINES * 2 // 3),
    "many commitments sections": "# T\n" + "## Commitments\n" * LINES,
    "many parties and many paired commitments": "# T\nLayout: rows\n## Parties\n"
    + "".join(f"- Party {number}\n" for number in range(LINES // 2))
    + "## Commitments\n### Row 1\n"
    + "- Nobody: x\n" * (LINES // 2),
    "a paired commitment of many colons": "# T\nLayout: rows\n"
    + VALID_TOP[4:]
    + "## Commitments\n### Row 1\n- "
    + ":" * (MAX_FILE_BYTES - 200),
}


@pytest.mark.parametrize("outline", OUTLINES.values(), ids=OUTLINES.keys())
def test_an_outline_near_the_size_limit_is_read_in_seconds_whatever_its_shape(outline):
    assert len(outline.encode()) <= MAX_FILE_BYTES
    read = []
    reader = threading.Thread(target=lambda: read.append(parse(outline)), daemon=True)
    reader.start()
    reader.join(5)
    assert read, "reading the outline took more than 5 seconds"


def test_trailing_spaces_and_keys_read_as_before():
    key = "0f8fad5b-d9cb-469f-a165-70867728950e"
    result = parse(
        "# The title  \t\nSummary:  A summary  \n## Vision\nv\n## Parties\n"
        f"- The Trust | We will  {{#{key}}}  \n- The Board\n## Commitments\n### The Trust\n- Listen \n  well\\\n  always\n"
    )
    assert result.title == "The title" and result.summary == "A summary"
    assert (result.parties[0].name, result.parties[0].heading, result.parties[0].key) == (
        "The Trust",
        "We will",
        key,
    )
    assert result.blocks[0].commitments[0].text == "Listen well\nalways"
