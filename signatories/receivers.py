from compact.signals import version_published


def invite_earlier_signatories(sender, version, previous, **kwargs):
    """A refreshed version asks the signatories of the one it replaces to sign again."""
    if previous is None:
        return
    from .tasks import send_refresh_invitations

    send_refresh_invitations.delay_on_commit(version.pk, previous.pk)


def connect():
    version_published.connect(
        invite_earlier_signatories, dispatch_uid="signatories.invite_earlier_signatories"
    )
