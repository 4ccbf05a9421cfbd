from core.errors import DomainError, NotAllowed

__all__ = ["DomainError", "NotAllowed", "VersionLocked"]


class VersionLocked(DomainError):
    """A ratified, published or superseded version's text is frozen."""
