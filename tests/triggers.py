"""Setting aside the database's triggers, as restoring a dump does."""

import contextlib
from collections.abc import Iterator

from django.db import connection, transaction


@contextlib.contextmanager
def bypassing_the_triggers() -> Iterator[None]:
    """The triggers exist only on PostgreSQL; elsewhere there is nothing to switch off. There,
    triggers are skipped for the rest of the block's transaction (`session_replication_role`, as a
    superuser restoring a dump would), then switched back on. pgtrigger.ignore is not used: it
    prefixes each statement with a SET, which server-side binding refuses as two commands in one
    prepared statement."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():  # SET LOCAL lasts as long as a transaction
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = DEFAULT")
