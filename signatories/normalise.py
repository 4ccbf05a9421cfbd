"""How names and e-mail addresses are compared, so look-alikes are the same thing.

A zero-width space, a soft hyphen or a full-width letter must not make "Harbour NHS Trust" a
second organisation, and "box+2@" or "b.o.x@gmail.com" must not make a second signer.
"""

import unicodedata
from functools import cache

# Mail providers that deliver "a.b@" and "ab@" to one mailbox, and their aliases.
DOTLESS_PROVIDERS = {"gmail.com"}
PROVIDER_ALIASES = {"googlemail.com": "gmail.com"}


def clean_name(value: str) -> str:
    """NFKC, invisible (format) and control characters removed, whitespace collapsed."""
    value = unicodedata.normalize("NFKC", value or "")
    kept = []
    for char in value:
        category = unicodedata.category(char)
        if category == "Cf":  # zero-width spaces and joiners, soft hyphens, direction marks
            continue
        if category == "Cc" and not char.isspace():
            continue
        kept.append(char)
    return " ".join("".join(kept).split())


def name_key(value: str) -> str:
    """What two names are compared by: cleaned, then case-folded."""
    return clean_name(value).casefold()


@cache
def _representatives() -> dict[str, str]:
    """Each confusable character's representative: one character per group of characters that
    Unicode TR 39's confusables data (as kept by confusable-homoglyphs) says look alike, an ASCII
    one where the group has one. Groups are joined through every pair the data lists, so the
    choice does not depend on which of two look-alikes was typed. Built once per process."""
    # here, not at the top: it reads its data (about 60 ms) on import, which only signing needs.
    from confusable_homoglyphs.confusables import confusables_data  # type: ignore[import-untyped]

    parent: dict[str, str] = {}

    def root(char: str) -> str:
        while parent.setdefault(char, char) != char:
            parent[char] = parent[parent[char]]
            char = parent[char]
        return char

    for char, homoglyphs in confusables_data.items():
        for homoglyph in homoglyphs:
            other = homoglyph["c"]
            if len(char) == 1 and len(other) == 1:  # "rn" for "m" is beyond a character map
                parent[root(other)] = root(char)
    groups: dict[str, list[str]] = {}
    for char in parent:
        groups.setdefault(root(char), []).append(char)
    representatives = {}
    for members in groups.values():
        chosen = min(
            members, key=lambda c: (not c.isascii(), not c.isalnum(), c.isdigit(), not c.islower(), ord(c))
        )
        representatives.update(dict.fromkeys(members, chosen))
    return representatives


def name_skeleton(value: str) -> str:
    """What a name looks like (Unicode TR 39's skeleton, without case): two names with one
    skeleton are hard to tell apart on a page, such as "Hills" with a Cyrillic "ѕ" and "Hills",
    "Harbour" with a Greek capital eta, or "R0yal" and "Royal".

    Letters of other scripts are mapped before case is folded (a Cyrillic "Н" looks like "H",
    its small "н" like no Latin letter); then the folded name is mapped and folded again until
    it settles ("0" looks like "O", which folds to "o"). Latin letters are folded before they are
    mapped, so "INTEGRATED" and "integrated" stay one name; the price is that a capital "I"
    typed for an "l" is not caught here (staff see it on their pages)."""
    representatives = _representatives()
    name = unicodedata.normalize("NFD", clean_name(value))
    skeleton = "".join(char if char.isascii() else representatives.get(char, char) for char in name)
    skeleton = skeleton.casefold()
    for _ in range(4):
        mapped = "".join(representatives.get(char, char) for char in skeleton).casefold()
        if mapped == skeleton:
            break
        skeleton = mapped
    return unicodedata.normalize("NFC", skeleton)


def lookalike_letters(value: str) -> list[str]:
    """The characters of a name that stand in for others (not ASCII, and mapped by the skeleton),
    described so staff can see what the eye cannot: "ѕ (Cyrillic small letter dze)"."""
    representatives = _representatives()
    found = []
    for char in dict.fromkeys(clean_name(value)):
        if not char.isascii() and representatives.get(char, char) != char:
            found.append(f"{char} ({unicodedata.name(char, 'unnamed character').capitalize()})")
    return found


def email_key(email: str) -> str:
    """One mailbox, one key: case, "+tag" and (for Gmail) dots do not make another address."""
    email = (email or "").strip().lower()
    local, at, domain = email.rpartition("@")
    if not at:
        return email
    domain = PROVIDER_ALIASES.get(domain, domain)
    local = local.split("+", 1)[0]
    if domain in DOTLESS_PROVIDERS:
        local = local.replace(".", "")
    return f"{local}@{domain}"


def email_domain(email: str) -> str:
    return email_key(email).rpartition("@")[2]


def domain_matches(domain: str, recorded: str) -> bool:
    """An address at the recorded domain or one of its sub-domains."""
    domain, recorded = domain.lower(), recorded.lower()
    return bool(domain and recorded) and (domain == recorded or domain.endswith("." + recorded))
