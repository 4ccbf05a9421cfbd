from core.errors import DomainError, NotAllowed

__all__ = ["DomainError", "IssueRecorded", "NotAllowed", "VersionLocked"]


class VersionLocked(DomainError):
    """A ratified, published or superseded version's text is frozen."""


class IssueRecorded(DomainError):
    """The record of a PDF the site issued is written once and kept: it is what /verify/ trusts."""
