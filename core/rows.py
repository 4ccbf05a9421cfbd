"""Model instances from rows read by plain SQL, for the few statements every request runs, where
building the ORM's query cost more than the database spent answering it.

A row holds every concrete column of the model, in `columns(model)`'s order; values are converted
as the ORM converts them (a field's `from_db_value`, JSON for instance). Callers use these on
PostgreSQL only, where the backend itself adds no converters (SQLite's do: dates, booleans)."""

from collections.abc import Sequence
from typing import Any, TypeVar

from django.db import connections
from django.db.models import Model

M = TypeVar("M", bound=Model)


def columns(model: type[Model]) -> str:
    table = model._meta.db_table
    return ", ".join(f'"{table}"."{field.column}"' for field in model._meta.concrete_fields)


def from_row(model: type[M], values: Sequence[Any], *, using: str = "default") -> M:
    """The instance the ORM would have built from the same row."""
    connection = connections[using]
    fields = model._meta.concrete_fields
    converted = []
    for field, value in zip(fields, values, strict=True):
        convert = getattr(field, "from_db_value", None)  # what Field.get_db_converters returns
        converted.append(value if convert is None else convert(value, field, connection))
    return model.from_db(using, [field.attname for field in fields], converted)
