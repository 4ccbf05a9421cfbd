"""Plain SQL for the few statements every request runs, where building the ORM's query cost more
than the database spent answering it.

Reads: a row holds every concrete column of the model, in `columns(model)`'s order; `from_row`
converts values as the ORM converts them (a field's `from_db_value`, JSON for instance). Callers
use these on PostgreSQL only, where the backend itself adds no converters (SQLite's do).

`prepared()` runs a statement prepared once per connection; `insert` and `update` write a row as
`save()` would, in one prepared statement, and call `save()` itself whenever it could do more."""

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

import psycopg
from django.db import DatabaseError, connections, transaction
from django.db.backends.utils import CursorWrapper
from django.db.models import NOT_PROVIDED, GeneratedField, Model
from django.db.models.signals import post_save, pre_save

M = TypeVar("M", bound=Model)


def columns(model: type[Model]) -> str:
    table = model._meta.db_table
    return ", ".join(f'"{table}"."{field.column}"' for field in model._meta.concrete_fields)


def from_row(model: type[M], values: Sequence[Any], *, using: str = "default") -> M:
    """The instance the ORM would have built from the same row."""
    names, converters = _conversions.get(model) or _conversions_of(model)
    if len(values) != len(names):
        raise ValueError(f"A {model.__name__} row has {len(names)} columns, not {len(values)}.")
    if converters:
        connection = connections[using]
        values = list(values)
        for index, field, convert in converters:
            values[index] = convert(values[index], field, connection)
    return model.from_db(using, names, values)


# Per model: its columns' attribute names, and the fields whose values are converted (a field's
# from_db_value, as Field.get_db_converters returns it), worked out once rather than per row.
_conversions: dict[type[Model], tuple[list[str], list[tuple[int, Any, Any]]]] = {}


def _conversions_of(model: type[Model]) -> tuple[list[str], list[tuple[int, Any, Any]]]:
    fields = model._meta.concrete_fields
    names = [field.attname for field in fields]
    converters = [
        (index, field, field.from_db_value)
        for index, field in enumerate(fields)
        if hasattr(field, "from_db_value")
    ]
    _conversions[model] = (names, converters)
    return names, converters


class _PreparingCursor(psycopg.Cursor):
    """Parameters bound on the server, and every statement prepared (Django's wrapper calls
    `execute(sql, params)` with no say in preparing)."""

    in_use = False  # lent out by prepared(): one inside another gets a cursor of its own

    def execute(self, query, params=None, *, prepare=None, binary=None):  # noqa: ARG002
        try:
            super().execute(query, params, prepare=True, binary=binary)
        finally:
            if self._query is None:
                # psycopg records no query text for a prepared statement's execution, and
                # Django's query log (tests, the debug page, the benchmark's counts, a failed
                # statement's report) reads it from there.
                self._query = _AsLogged(self.connection, query, params)
        return self


class _AsLogged:
    """The statement as Django would have logged it, with its values written in; only made when
    something reads it."""

    def __init__(self, connection: psycopg.Connection[Any], query: str, params: Any) -> None:
        self._connection, self._sql, self._params = connection, query, params

    @property
    def query(self) -> bytes:
        with psycopg.ClientCursor(self._connection) as cursor:
            return cursor.mogrify(self._sql, self._params).encode()


@contextmanager
def prepared(*, using: str = "default") -> Iterator[CursorWrapper]:
    """A cursor whose statements PostgreSQL parses and plans once per connection, not per request.

    Django binds parameters on the client (the values written into the SQL text) and prepares
    nothing, so PostgreSQL plans every statement afresh: for the vote's upsert that planning was
    more than half the database's work. A statement run here is sent with its parameters apart
    and prepared (psycopg keeps the plans of the last hundred per connection, and drops them all
    when a transaction rolls back), so from its second run PostgreSQL executes a plan it already
    has. For the few constant statements in plain SQL on the hot paths; it goes through Django's
    cursor wrapper, so queries are still counted and logged and errors are Django's. Connection
    poolers in transaction mode need protocol-level prepared statements (PgBouncer 1.21 or later)
    for this: DATABASE_PREPARED_STATEMENTS=0 turns preparing off. Elsewhere than PostgreSQL, a
    plain cursor."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            yield cursor
        return
    # As connection.cursor() does: a persistent connection that has died is replaced first.
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    # One cursor per connection, kept between uses: a new one made new value loaders for every
    # result it read (the time zone's for each timestamp column), a third of a short statement's
    # Python. One in use (a prepared() inside another) is never shared: that one gets its own.
    kept: _PreparingCursor | None = getattr(connection, "_prepared_cursor", None)
    if kept is not None and (kept.closed or kept.connection is not connection.connection):
        kept = None
    if kept is not None and kept.in_use:
        with connection.wrap_database_errors:
            raw = _PreparingCursor(connection.connection)
        try:
            yield connection._prepare_cursor(raw)  # type: ignore[attr-defined]
        finally:
            raw.close()
        return
    if kept is None:
        with connection.wrap_database_errors:
            kept = _PreparingCursor(connection.connection)
        connection._prepared_cursor = kept  # type: ignore[attr-defined]
    kept.in_use = True
    try:
        # Django's wrapper: counted, logged, errors mapped.
        yield connection._prepare_cursor(kept)  # type: ignore[attr-defined]
    finally:
        kept.in_use = False


# --- Writes ----------------------------------------------------------------------------------------
# `Model.save()` compiles its INSERT or UPDATE afresh on every call; on a confirmation that was a
# third of the request's Python. These write the same row as `save()` would, each in one prepared
# statement written once per model (and per set of fields), on PostgreSQL. They call `save()`
# itself whenever it could do more than that statement: a model with its own save() (unless it
# says its save adds nothing to a new row, `ROWS_INSERT_AS_SAVE`), a pre_save or post_save receiver
# connected, a parent model, a generated or database-default column, a primary key already set.
_inserts: dict[type[Model], tuple[str, list[Any]]] = {}
_updates: dict[tuple[type[Model], tuple[str, ...]], tuple[str, list[Any]]] = {}


def _as_save(model: type[Model], *, inserting: bool) -> bool:
    """Whether one statement writes what save() would for this model."""
    meta = model._meta
    return (
        (model.save is Model.save or (inserting and getattr(model, "ROWS_INSERT_AS_SAVE", False)))
        and not (pre_save.has_listeners(model) or post_save.has_listeners(model))
        and not meta.parents
        and not any(
            isinstance(field, GeneratedField) or field.db_default is not NOT_PROVIDED
            for field in meta.concrete_fields
        )
    )


def insert(obj: Model, *, using: str = "default") -> None:
    """Insert a new instance as `obj.save()` would: defaults applied, related objects checked
    saved, its id set from the row written."""
    connection = connections[using]
    model = type(obj)
    meta = model._meta
    if connection.vendor != "postgresql" or not _as_save(model, inserting=True) or obj.pk is not None:
        obj.save(using=using)
        return
    # An unsaved related object refused, as save() refuses it.
    obj._prepare_related_fields_for_save(operation_name="save")  # type: ignore[attr-defined]
    if model not in _inserts:
        fields, names, marks = _inserted_columns(model)
        _inserts[model] = (
            f'INSERT INTO "{meta.db_table}" ({names}) VALUES ({marks}) RETURNING "{meta.pk.column}"',  # noqa: S608
            fields,
        )
    sql, fields = _inserts[model]
    values = [field.get_db_prep_save(field.pre_save(obj, True), connection) for field in fields]
    with transaction.mark_for_rollback_on_error(using), prepared(using=using) as cursor:
        cursor.execute(sql, values)
        obj.pk = cursor.fetchone()[0]
    obj._state.adding = False
    obj._state.db = using


def _inserted_columns(model: type[Model]) -> tuple[list[Any], str, str]:
    """The columns a new row is written with (all but an automatic id), their names and markers."""
    meta = model._meta
    fields = [field for field in meta.concrete_fields if field is not meta.auto_field]
    return fields, ", ".join(f'"{field.column}"' for field in fields), ", ".join(["%s"] * len(fields))


def _columns_by_name(model: type[Model]) -> dict[str, Any]:
    fields = model._meta.concrete_fields
    return {field.name: field for field in fields} | {field.attname: field for field in fields}


def _writable(model: type[Model], fields: Sequence[str]) -> list[Any]:
    writable = {name: field for name, field in _columns_by_name(model).items() if not field.primary_key}
    unknown = [name for name in fields if name not in writable]
    if unknown or not fields:
        # What save(update_fields=...) says of a name it cannot write.
        raise ValueError(
            "The following fields do not exist in this model, are m2m fields, primary keys, "
            f"or are non-concrete fields: {', '.join(unknown) or '(none named)'}"
        )
    return [writable[name] for name in fields]


def update(obj: Model, *, fields: Sequence[str], using: str = "default") -> None:
    """Write the named fields of a saved instance, as `obj.save(update_fields=fields)` would."""
    connection = connections[using]
    model = type(obj)
    if connection.vendor != "postgresql" or not _as_save(model, inserting=False):
        obj.save(using=using, update_fields=fields)
        return
    key = (model, tuple(fields))
    if key not in _updates:
        meta = model._meta
        chosen = _writable(model, fields)
        sets = ", ".join(f'"{field.column}" = %s' for field in chosen)
        _updates[key] = (f'UPDATE "{meta.db_table}" SET {sets} WHERE "{meta.pk.column}" = %s', chosen)  # noqa: S608
    sql, chosen = _updates[key]
    values = [field.get_db_prep_save(field.pre_save(obj, False), connection) for field in chosen]
    with transaction.mark_for_rollback_on_error(using), prepared(using=using) as cursor:
        cursor.execute(sql, [*values, obj.pk])
        if cursor.rowcount != 1:
            # What save(update_fields=...) says when the row has gone.
            raise DatabaseError("Save with update_fields did not affect any rows.")


# One statement per model, set of fields written, columns compared (and which of them are
# compared with NULL) and models inserted with it.
# The statement, the fields it sets, the columns it compares, and each inserted row's columns.
_Guarded = tuple[str, list[Any], list[tuple[str, Any]], list[list[Any]]]
_guarded: dict[tuple[Any, ...], _Guarded] = {}


def update_if(
    obj: Model,
    *,
    fields: Sequence[str],
    unchanged: Mapping[str, Any],
    inserting: Sequence[Model] = (),
    using: str = "default",
) -> bool:
    """Write the named fields of a saved instance only if its row still holds the `unchanged`
    values (a compare-and-set), and insert the `inserting` rows (an audit event, say) only if it
    did; False, with nothing written, if the row had changed or gone.

    On PostgreSQL that is one statement: an UPDATE guarded by the values, and INSERTs that read
    their single row from what it changed. Outside a transaction it needs none of its own, so a
    write read earlier without a lock costs one round trip, not the five of BEGIN, a locked read,
    the update, the insert and COMMIT. A concurrent writer of the same row makes it wait, then
    PostgreSQL tests the values again against the row as that writer left it: of two
    compare-and-sets of the same values, exactly one writes. Elsewhere, or when `save()` could do
    more than one statement (see `_as_save`), the row is read locked, compared and saved in a
    transaction, to the same effect."""
    connection = connections[using]
    model = type(obj)
    columns_of = _columns_by_name(model)
    unknown = [name for name in unchanged if name not in columns_of]
    if unknown:
        raise ValueError(f"{model.__name__} has no column for {', '.join(unknown)}.")
    if (
        connection.vendor != "postgresql"
        or not _as_save(model, inserting=False)
        or any(row.pk is not None or not _as_save(type(row), inserting=True) for row in inserting)
    ):
        return _update_if_locked(obj, fields=fields, unchanged=unchanged, inserting=inserting, using=using)
    for row in inserting:
        row._prepare_related_fields_for_save(operation_name="save")  # type: ignore[attr-defined]
    key = (
        model,
        tuple(fields),
        tuple((name, value is None) for name, value in unchanged.items()),
        tuple(type(row) for row in inserting),
    )
    if key not in _guarded:
        _guarded[key] = _guarded_statement(model, fields, unchanged, [type(row) for row in inserting])
    sql, chosen, compared, inserted = _guarded[key]
    values = [field.get_db_prep_save(field.pre_save(obj, False), connection) for field in chosen]
    values.append(obj.pk)
    values += [
        field.get_db_prep_value(unchanged[name], connection)
        for name, field in compared
        if unchanged[name] is not None
    ]
    for row, row_fields in zip(inserting, inserted, strict=True):
        values += [field.get_db_prep_save(field.pre_save(row, True), connection) for field in row_fields]
    with transaction.mark_for_rollback_on_error(using), prepared(using=using) as cursor:
        cursor.execute(sql, values)
        result = cursor.fetchone()
    if not result[0]:
        return False
    for row, pk in zip(inserting, result[1:], strict=True):
        row.pk = pk
        row._state.adding = False
        row._state.db = using
    return True


def _guarded_statement(
    model: type[Model], fields: Sequence[str], unchanged: Mapping[str, Any], inserting: list[type[Model]]
) -> _Guarded:
    meta = model._meta
    chosen = _writable(model, fields)
    by_name = _columns_by_name(model)
    compared = [(name, by_name[name]) for name in unchanged]
    tests = " AND ".join(
        f'"{field.column}" IS NULL' if unchanged[name] is None else f'"{field.column}" = %s'
        for name, field in compared
    )
    sets = ", ".join(f'"{field.column}" = %s' for field in chosen)
    parts = [
        f'WITH "changed" AS (UPDATE "{meta.db_table}" SET {sets} WHERE "{meta.pk.column}" = %s'  # noqa: S608
        + (f" AND {tests}" if tests else "")
        + " RETURNING 1)"
    ]
    inserted = []
    for index, other in enumerate(inserting):
        row_fields, names, marks = _inserted_columns(other)
        parts.append(
            f', "new_{index}" AS (INSERT INTO "{other._meta.db_table}" ({names})'  # noqa: S608
            f' SELECT {marks} FROM "changed" RETURNING "{other._meta.pk.column}")'
        )
        inserted.append(row_fields)
    reads = ['(SELECT count(*) FROM "changed")'] + [
        f'(SELECT "{other._meta.pk.column}" FROM "new_{index}")'  # noqa: S608
        for index, other in enumerate(inserting)
    ]
    return " ".join(parts) + f" SELECT {', '.join(reads)}", chosen, compared, inserted


def _update_if_locked(
    obj: Model,
    *,
    fields: Sequence[str],
    unchanged: Mapping[str, Any],
    inserting: Sequence[Model],
    using: str,
) -> bool:
    model = type(obj)
    with transaction.atomic(using=using):
        current = (
            model._base_manager.db_manager(using).select_for_update().filter(pk=obj.pk, **unchanged).exists()
        )
        if not current:
            return False
        update(obj, fields=fields, using=using)
        for row in inserting:
            insert(row, using=using)
    return True
