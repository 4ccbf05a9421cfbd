"""Running work in threads released together, each on its own database connection (PostgreSQL
tests only: SQLite serialises writers, so it proves nothing about races)."""

import threading

from django.db import connections


def all_at_once(count, work):
    """Run work(index) in `count` threads released by one barrier; return what each raised, in the
    order of the threads (None where it raised nothing)."""
    barrier = threading.Barrier(count)
    outcomes = [None] * count

    def run(index):
        try:
            barrier.wait()
            work(index)
        except Exception as error:  # noqa: BLE001 - the test asserts on what was raised
            outcomes[index] = error
        finally:
            connections.close_all()  # each thread opened its own connection

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def errors_of(outcomes):
    """Only what was raised."""
    return [error for error in outcomes if error is not None]
