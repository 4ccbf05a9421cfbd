"""The order of a block's commitments across its columns.

The content hash lists a theme's commitments in one sequence across all parties (by position,
then by when each was added). The outline groups them by party (or by row), so it cannot show
that sequence; both sides agree on a default instead: each party's first commitment, in party
order, then each party's second, and so on. That is the order the drafting page produces, so an
export only spells the sequence out (`@n` in a key marker) when a version departs from it.
"""


def default_order(items, *, party_of, party_rank):
    """`items` in outline order → the same items in the default sequence."""
    seen = {}
    keyed = []
    for index, item in enumerate(items):
        party = party_of(item)
        seen[party] = seen.get(party, 0) + 1
        keyed.append(((seen[party], party_rank(party), index), item))
    return [item for _, item in sorted(keyed, key=lambda pair: pair[0])]
