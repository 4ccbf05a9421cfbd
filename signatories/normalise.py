"""How names and e-mail addresses are compared, so look-alikes are the same thing.

A zero-width space, a soft hyphen or a full-width letter must not make "Harbour NHS Trust" a
second organisation, and "box+2@" or "b.o.x@gmail.com" must not make a second signer.
"""

import unicodedata

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
