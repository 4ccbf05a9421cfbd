"""The outbox, emptied as its tasks would empty it, for unit tests on SQLite.

Services write e-mails to the outbox and hand their ids to a task once the transaction commits;
a unit test's transaction never commits, so `delivered()` does what those tasks do: it sends
every row that is due, through Django's test mail backend, and returns `mail.outbox`."""

from django.core import mail

from notifications import outbox
from notifications.models import Outgoing


def delivered():
    due = Outgoing.objects.filter(status=Outgoing.Status.PENDING).order_by("priority", "pk")
    outbox.deliver(ids=list(due.values_list("pk", flat=True)))
    return mail.outbox


def to(address):
    """The e-mails sent to one address so far (after delivering what is due)."""
    return [message for message in delivered() if message.to == [address]]
