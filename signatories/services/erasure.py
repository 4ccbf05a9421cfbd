"""A person's signatures when their account is erased (accounts.services.erase_account)."""

from accounts.models import User

from ..models import Signature
from ._common import public_list_changed


def anonymise_signatures(*, signer: User) -> None:
    """On erasure, a person's signatures keep counting for their organisation without their name."""
    versions = set()
    for signature in Signature.objects.select_for_update().filter(signer=signer):
        signature.full_name, signature.role = f"Signatory {signature.pk}", ""
        # The mailbox key and address hash are personal data too; the signature keeps counting.
        signature.email_key, signature.client_key = "", ""
        signature.save(update_fields=["full_name", "role", "email_key", "client_key"])
        if signature.status == Signature.Status.CONFIRMED:
            versions.add(signature.version)
    for version in versions:
        # The PDF lists names: it goes, and is rendered again.
        public_list_changed(version=version, removed=True)
