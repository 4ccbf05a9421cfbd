from compact.signals import version_published
from config import dispatch

from .tasks import send_refresh_invitations


def invite_earlier_signatories(sender, version, previous, **kwargs):
    """A refreshed version asks the signatories of the one it replaces to sign again."""
    if previous is None:
        return
    dispatch.send_on_commit(send_refresh_invitations, version.pk, previous.pk)


def connect():
    version_published.connect(
        invite_earlier_signatories, dispatch_uid="signatories.invite_earlier_signatories"
    )
