"""URL converters every app may use: import this module in a urls.py before its patterns."""

from django.urls import register_converter


class IdConverter:
    """A database id in a URL: 1 to 18 digits, so it always fits PostgreSQL's bigint.

    Django's `int` takes any number of digits: a lookup with 400 of them finds nothing, but a
    write that stores one (a follow's target, a raw statement's parameter) fails with DataError,
    a server error. Longer than 18 digits is no address at all: a 404."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int | str) -> str:
        return str(value)


register_converter(IdConverter, "id")
