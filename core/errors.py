"""Errors every app raises. Views show `message` to the person who tried."""


class DomainError(Exception):
    """A rule of the domain was broken; the message is written for the person who tried."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotAllowed(DomainError):
    """The person does not have the role this action needs."""
