"""core.rows writes a row as save() would, in one prepared statement on PostgreSQL: what is read
back is what was written, only the named fields change, the query log shows real SQL, the
statement really is prepared, and save() still runs when receivers are connected or the
database is not PostgreSQL."""

from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models.signals import post_save, pre_save
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

import audit
from audit.models import AuditEvent
from core.rows import insert, prepared, update, update_if
from signatories.models import Organisation, Signature
from signatories.normalise import name_key
from tests.factories import CompactFactory, published_version
from tests.signatories.factories import OrganisationFactory, SignatureFactory

BEFORE = {"title": "Café – “quoted”", "layout": {"themes": [1, 2, {"name": "Ünïcode"}], "empty": None}}
AFTER = {"title": "Plain", "published": True, "counts": {"themes": 3, "ratio": 0.5}, "tags": []}

INSERT_AUDIT = 'INSERT INTO "audit_auditevent"%'
UPDATE_SIGNATURE = 'UPDATE "signatories_signature"%'


def executions(pattern):
    """How many times PostgreSQL has run the prepared statements whose text is LIKE `pattern`,
    on this connection (0 if none is prepared)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(SUM(generic_plans + custom_plans), 0) FROM pg_prepared_statements "
            "WHERE statement LIKE %s",
            [pattern],
        )
        return cursor.fetchone()[0]


def same(read, written, model):
    for field in model._meta.concrete_fields:
        assert getattr(read, field.attname) == getattr(written, field.attname), field.name


@pytest.fixture
def pending_signature(db):
    return SignatureFactory(
        version=published_version(),
        organisation=None,
        status=Signature.Status.PENDING,
        confirmed_at=None,
        token_hash="a" * 64,
        token_expires_at=timezone.now() + timedelta(days=1),
        role="Chair",
    )


def confirm_in_memory(signature):
    """What signatories.services.confirm does to the instance before writing it."""
    signature.status = Signature.Status.CONFIRMED
    signature.confirmed_at = timezone.now()
    signature.token_hash = ""
    signature.token_expires_at = None
    return ["status", "confirmed_at", "token_hash", "token_expires_at"]


# --- On PostgreSQL: the prepared path ------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db
def test_an_audit_record_reads_back_as_written(leader):
    compact = CompactFactory()
    executed = executions(INSERT_AUDIT)
    start = timezone.now()

    event = audit.record(action="compact.edited", actor=leader, target=compact, before=BEFORE, after=AFTER)

    assert executions(INSERT_AUDIT) == executed + 1  # written by the prepared INSERT, not save()
    assert event.pk is not None and event._state.adding is False and event._state.db == "default"
    row = AuditEvent.objects.get(action="compact.edited")
    assert row.pk == event.pk
    assert row.actor == leader and row.actor_label == f"user {leader.pk}"
    assert (row.object_type, row.object_id, row.compact_id) == (
        "compact.compact",
        str(compact.pk),
        compact.pk,
    )
    assert row.before == BEFORE and row.after == AFTER
    assert row.before["title"] == "Café – “quoted”"
    assert start <= row.at <= timezone.now()
    same(row, event, AuditEvent)


@pytest.mark.postgres
@pytest.mark.django_db
def test_an_audit_record_with_no_actor_or_target_is_the_systems():
    event = audit.record(action="system.tick")
    row = AuditEvent.objects.get(pk=event.pk)
    assert (row.actor_id, row.actor_label, row.object_type, row.object_id, row.compact_id) == (
        None,
        "the system",
        "",
        "",
        None,
    )
    assert row.before == {} and row.after == {}


@pytest.mark.postgres
def test_update_writes_only_the_named_fields(pending_signature):
    signature = pending_signature
    stored = Signature.objects.get(pk=signature.pk)
    fields = confirm_in_memory(signature)
    signature.role = "Changed in memory only"
    signature.withdrawal_reason = "Not named either"
    executed = executions(UPDATE_SIGNATURE)

    update(signature, fields=fields)

    assert executions(UPDATE_SIGNATURE) == executed + 1  # the prepared UPDATE, not save()
    row = Signature.objects.get(pk=signature.pk)
    assert row.status == Signature.Status.CONFIRMED and row.confirmed_at == signature.confirmed_at
    assert row.token_hash == "" and row.token_expires_at is None
    for field in Signature._meta.concrete_fields:
        if field.name not in fields:
            assert getattr(row, field.attname) == getattr(stored, field.attname), field.name
    assert row.role == "Chair" and row.withdrawal_reason == ""


@pytest.mark.postgres
def test_update_of_a_row_that_has_gone_raises(pending_signature, monkeypatch):
    fields = confirm_in_memory(pending_signature)
    Signature.objects.filter(pk=pending_signature.pk).delete()
    monkeypatch.setattr(Signature, "save_base", lambda *args, **kwargs: pytest.fail("save() was called"))

    # In a savepoint: as save() does, the failure marks its transaction for rollback (and the
    # rollback drops the connection's prepared statements, so they cannot be counted after).
    with pytest.raises(DatabaseError, match="did not affect any rows"), transaction.atomic():
        update(pending_signature, fields=fields)
    assert not Signature.objects.filter(pk=pending_signature.pk).exists()


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_query_log_shows_an_insert_as_one_statement_with_its_values():
    compact = CompactFactory()
    with CaptureQueriesContext(connection) as captured:
        event = audit.record(action="compact.logged", target=compact, before=BEFORE)
    assert executions(INSERT_AUDIT) >= 1  # it went through the prepared cursor
    assert len(captured.captured_queries) == 1
    sql = captured.captured_queries[0]["sql"]
    assert isinstance(sql, str)
    assert sql.startswith('INSERT INTO "audit_auditevent"')
    assert "'compact.logged'" in sql and "'the system'" in sql and f"'{compact.pk}'" in sql
    assert "$1" not in sql and "%s" not in sql
    # What the log shows is what ran: run as it reads, it writes the same row again.
    with connection.cursor() as cursor:
        cursor.execute(sql)
        again = AuditEvent.objects.get(pk=cursor.fetchone()[0])
    assert again.pk != event.pk
    for field in AuditEvent._meta.concrete_fields:
        if not field.primary_key:
            assert getattr(again, field.attname) == getattr(event, field.attname), field.name


@pytest.mark.postgres
def test_the_query_log_shows_an_update_as_one_statement_with_its_values(pending_signature):
    fields = confirm_in_memory(pending_signature)
    with CaptureQueriesContext(connection) as captured:
        update(pending_signature, fields=fields)
    assert executions(UPDATE_SIGNATURE) >= 1
    assert len(captured.captured_queries) == 1
    sql = captured.captured_queries[0]["sql"]
    assert isinstance(sql, str)
    assert sql.startswith('UPDATE "signatories_signature"')
    assert "'confirmed'" in sql and str(pending_signature.pk) in sql
    assert "$1" not in sql and "%s" not in sql
    with connection.cursor() as cursor:  # runnable as it reads, and for the same row
        cursor.execute(sql)
        assert cursor.rowcount == 1


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_statement_run_twice_is_prepared_once_and_reused():
    sql = "SELECT %s::integer * 2 AS rows_test_doubled"
    pattern = "%rows_test_doubled%"
    assert executions(pattern) == 0

    results = []
    for value in (3, 4):
        with prepared() as cursor:
            cursor.execute(sql, [value])
            results.append(cursor.fetchone()[0])

    assert results == [6, 8]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement, generic_plans + custom_plans FROM pg_prepared_statements WHERE statement LIKE %s",
            [pattern],
        )
        rows = cursor.fetchall()
    # One statement, with its parameter bound on the server, executed both times.
    assert rows == [("SELECT $1::integer * 2 AS rows_test_doubled", 2)]


# --- Falling back to save() ----------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db
@pytest.mark.parametrize("signal", [pre_save, post_save], ids=["pre_save", "post_save"])
def test_insert_goes_through_save_when_a_receiver_is_connected(signal):
    heard = []

    def receiver(sender, instance, **kwargs):
        heard.append((sender, instance, kwargs.get("created"), kwargs.get("update_fields")))

    event = AuditEvent(actor_label="the system", action="rows.heard", after={"note": "Café"})
    executed = executions(INSERT_AUDIT)
    signal.connect(receiver, sender=AuditEvent, weak=False)
    try:
        insert(event)
    finally:
        signal.disconnect(receiver, sender=AuditEvent)

    expected_created = True if signal is post_save else None
    assert heard == [(AuditEvent, event, expected_created, None)]
    assert executions(INSERT_AUDIT) == executed  # not the prepared INSERT
    assert event._state.adding is False
    assert AuditEvent.objects.get(pk=event.pk).after == {"note": "Café"}


@pytest.mark.postgres
def test_update_goes_through_save_when_a_receiver_is_connected(pending_signature):
    heard = []

    def receiver(sender, instance, created, update_fields, **kwargs):
        heard.append((instance, created, update_fields))

    fields = confirm_in_memory(pending_signature)
    pending_signature.role = "Not named"
    executed = executions(UPDATE_SIGNATURE)
    post_save.connect(receiver, sender=Signature, weak=False)
    try:
        update(pending_signature, fields=fields)
    finally:
        post_save.disconnect(receiver, sender=Signature)

    assert heard == [(pending_signature, False, frozenset(fields))]
    assert executions(UPDATE_SIGNATURE) == executed
    row = Signature.objects.get(pk=pending_signature.pk)
    assert row.status == Signature.Status.CONFIRMED and row.role == "Chair"


@pytest.mark.django_db
def test_insert_update_and_prepared_write_on_whatever_database_is_configured():
    event = AuditEvent(actor_label="the system", action="rows.anywhere", before=BEFORE)
    insert(event)
    assert event.pk is not None and event._state.adding is False
    row = AuditEvent.objects.get(action="rows.anywhere")
    assert row.pk == event.pk and row.before == BEFORE and row.at == event.at

    organisation = OrganisationFactory(region=Organisation.Region.LONDON, ods_code="RX1")
    organisation.region = Organisation.Region.SOUTH_WEST
    organisation.ods_code = "NOT-NAMED"
    update(organisation, fields=["region"])
    organisation.refresh_from_db()
    assert (organisation.region, organisation.ods_code) == (Organisation.Region.SOUTH_WEST, "RX1")

    with prepared() as cursor:
        cursor.execute("SELECT %s", ["Café – “quoted”"])
        assert cursor.fetchone()[0] == "Café – “quoted”"

    # Last: save() marks the transaction for rollback when it raises this.
    Organisation.objects.filter(pk=organisation.pk).delete()
    with pytest.raises(DatabaseError, match="did not affect any rows"):
        update(organisation, fields=["region"])


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_prepared_statement_inside_another_leaves_the_outer_ones_rows_unread():
    with prepared() as outer:
        outer.execute("SELECT n FROM generate_series(1, 3) AS n")
        with prepared() as inner:  # as the auth middleware's user read inside a view's would
            inner.execute("SELECT %s::integer", [42])
            assert inner.fetchone() == (42,)
        assert outer.fetchall() == [(1,), (2,), (3,)]


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_model_whose_save_does_more_is_written_by_its_save():
    # Organisation.save() keeps name_key, the key names are matched by: one statement would not.
    organisation = Organisation(name="St Mary’s – North", kind=OrganisationFactory().kind)
    insert(organisation)
    organisation.name = "St Mary's South"
    update(organisation, fields=["name"])

    assert Organisation.objects.get(pk=organisation.pk).name_key == name_key("St Mary's South") != ""


@pytest.mark.postgres
@pytest.mark.django_db
def test_update_refuses_a_field_the_model_does_not_have(pending_signature):
    with pytest.raises(ValueError, match="no_such_field"):
        update(pending_signature, fields=["status", "no_such_field"])
    with pytest.raises(ValueError):
        update(pending_signature, fields=["id"])


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_failed_write_marks_its_transaction_for_rollback_as_save_would():
    from django.db import IntegrityError
    from django.db.transaction import TransactionManagementError

    with transaction.atomic():
        with pytest.raises(IntegrityError):
            insert(AuditEvent(actor_label=None, action="rows.broken"))  # a NOT NULL column
        # Django says the transaction must roll back, rather than PostgreSQL's "current
        # transaction is aborted" surfacing from whatever query comes next.
        with pytest.raises(TransactionManagementError):
            AuditEvent.objects.count()


# --- update_if: a compare-and-set with the rows that go with it -----------------------------------


def audit_event_for(signature):
    return audit.event(
        action="rows.guarded", target=signature, after={"status": "confirmed", "name": "Zoë – “Z”"}
    )


@pytest.mark.django_db
def test_update_if_writes_the_row_and_its_event_when_the_row_is_as_read(pending_signature):
    read_hash = pending_signature.token_hash
    fields = confirm_in_memory(pending_signature)
    pending_signature.role = "Not named"
    event = audit_event_for(pending_signature)

    assert update_if(
        pending_signature,
        fields=fields,
        unchanged={"token_hash": read_hash, "status": Signature.Status.PENDING},
        inserting=[event],
    )

    row = Signature.objects.get(pk=pending_signature.pk)
    assert (row.status, row.token_hash, row.token_expires_at, row.role) == (
        Signature.Status.CONFIRMED,
        "",
        None,
        "Chair",  # only the named fields are written
    )
    assert row.confirmed_at == pending_signature.confirmed_at
    written = AuditEvent.objects.get(action="rows.guarded")
    assert event.pk == written.pk and event._state.adding is False
    assert written.after == {"status": "confirmed", "name": "Zoë – “Z”"} and written.at == event.at
    assert written.object_id == str(pending_signature.pk)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "meanwhile",
    [{"token_hash": "b" * 64}, {"status": Signature.Status.WITHDRAWN}, None],
    ids=["a new link", "withdrawn", "deleted"],
)
def test_update_if_writes_nothing_when_the_row_changed_since_it_was_read(pending_signature, meanwhile):
    read_hash = pending_signature.token_hash
    rows = Signature.objects.filter(pk=pending_signature.pk)
    if meanwhile is None:
        rows.delete()
    else:
        rows.update(**meanwhile)
    fields = confirm_in_memory(pending_signature)

    written = update_if(
        pending_signature,
        fields=fields,
        unchanged={"token_hash": read_hash, "status": Signature.Status.PENDING},
        inserting=[audit_event_for(pending_signature)],
    )

    assert written is False
    assert not AuditEvent.objects.filter(action="rows.guarded").exists()
    if meanwhile is not None:
        assert Signature.objects.get(pk=pending_signature.pk).status != Signature.Status.CONFIRMED


@pytest.mark.django_db
def test_update_if_compares_with_null_as_the_row_holds_it(pending_signature):
    pending_signature.role = "Vice chair"
    # confirmed_at is NULL in the row: compared with IS NULL, not "= NULL", which matches nothing.
    assert update_if(pending_signature, fields=["role"], unchanged={"confirmed_at": None})
    assert Signature.objects.get(pk=pending_signature.pk).role == "Vice chair"
    pending_signature.role = "Never"
    assert not update_if(pending_signature, fields=["role"], unchanged={"token_hash": None})
    assert Signature.objects.get(pk=pending_signature.pk).role == "Vice chair"


@pytest.mark.postgres
@pytest.mark.django_db
def test_update_if_on_postgresql_is_one_prepared_statement(pending_signature):
    guarded = 'WITH "changed" AS (UPDATE "signatories_signature"%'
    before = executions(guarded)
    for n in range(2):
        signature = Signature.objects.get(pk=pending_signature.pk)
        signature.role = f"Role {n}"
        event = audit_event_for(signature)
        with CaptureQueriesContext(connection) as captured:
            assert update_if(
                signature, fields=["role"], unchanged={"status": Signature.Status.PENDING}, inserting=[event]
            )
        assert len(captured.captured_queries) == 1
        assert 'INSERT INTO "audit_auditevent"' in captured.captured_queries[0]["sql"]
    assert executions(guarded) == before + 2
    assert AuditEvent.objects.filter(action="rows.guarded").count() == 2


@pytest.mark.postgres
@pytest.mark.django_db
def test_update_if_goes_through_save_when_a_receiver_is_connected(pending_signature):
    heard = []

    def receiver(sender, instance, update_fields, **kwargs):
        heard.append(update_fields)

    read_hash = pending_signature.token_hash
    fields = confirm_in_memory(pending_signature)
    post_save.connect(receiver, sender=Signature, weak=False)
    try:
        assert update_if(
            pending_signature,
            fields=fields,
            unchanged={"token_hash": read_hash},
            inserting=[audit_event_for(pending_signature)],
        )
        assert not update_if(pending_signature, fields=fields, unchanged={"token_hash": read_hash})
    finally:
        post_save.disconnect(receiver, sender=Signature)

    assert heard == [frozenset(fields)]
    assert Signature.objects.get(pk=pending_signature.pk).status == Signature.Status.CONFIRMED
    assert AuditEvent.objects.filter(action="rows.guarded").count() == 1


@pytest.mark.django_db
def test_update_if_refuses_a_column_the_model_does_not_have(pending_signature):
    with pytest.raises(ValueError, match="no column for no_such_column"):
        update_if(pending_signature, fields=["role"], unchanged={"no_such_column": 1})
    with pytest.raises(ValueError, match="no_such_field"):
        update_if(pending_signature, fields=["no_such_field"], unchanged={"status": "pending"})
