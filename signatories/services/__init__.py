"""Signing a published compact and keeping the list of signatories true, one module per workflow.
Each checks who is acting and runs in one transaction, raising DomainError with words a person
can act on.

    signing        sign a published version, personally or for an organisation; withdraw
    confirmation   the e-mailed link: issue, resend (rate-limited), confirm once
    holds          the silent signals at signing: a repeated name flagged, a burst held
    organisations  find or claim an organisation, list it, verify it, record its e-mail domains
    review         staff hide and restore, approve for an organisation, release or reject a hold
    refresh        invite earlier signatories to sign a new version; send again what was owed
    erasure        a person's signatures when their account is erased

Callers use the verbs from here (`from signatories import services; services.sign(...)`).
"""

from core.errors import DomainError, NotAllowed

from ._common import MAX_NAME_LENGTH
from .confirmation import (
    LINK_NOT_VALID,
    RESEND_INTERVAL,
    RESENDS_PER_DAY,
    LinkExpired,
    confirm,
    confirmation_hours,
    confirmation_letter,
    hash_token,
    issue_confirmation,
    resend_confirmation,
    signature_for_token,
)
from .erasure import anonymise_signatures
from .holds import REASON_NAME, client_key, hold_threshold
from .organisations import (
    SHARED_MAIL_DOMAINS,
    OrganisationLookalike,
    OrganisationMismatch,
    find_or_create_organisation,
    find_organisation,
    list_organisation,
    listed_organisations,
    lookalikes,
    normalise_ods_code,
    parse_email_domains,
    set_organisation_email_domains,
    signer_domain_verified,
    verify_organisation,
)
from .refresh import reconcile_mail, record_invitation, signatures_to_invite
from .review import (
    REJECTED_WITHOUT_REASON,
    approve_organisation_signature,
    hide_signature,
    mark_reviewed,
    reject_held_signature,
    release_signature,
    restore_signature,
)
from .signing import AlreadySigned, active_signature_of, sign, withdraw

__all__ = [
    "LINK_NOT_VALID",
    "MAX_NAME_LENGTH",
    "REASON_NAME",
    "REJECTED_WITHOUT_REASON",
    "RESENDS_PER_DAY",
    "RESEND_INTERVAL",
    "SHARED_MAIL_DOMAINS",
    "AlreadySigned",
    "DomainError",
    "LinkExpired",
    "NotAllowed",
    "OrganisationLookalike",
    "OrganisationMismatch",
    "active_signature_of",
    "anonymise_signatures",
    "approve_organisation_signature",
    "client_key",
    "confirm",
    "confirmation_hours",
    "confirmation_letter",
    "find_or_create_organisation",
    "find_organisation",
    "hash_token",
    "hide_signature",
    "hold_threshold",
    "issue_confirmation",
    "list_organisation",
    "listed_organisations",
    "lookalikes",
    "mark_reviewed",
    "normalise_ods_code",
    "parse_email_domains",
    "reconcile_mail",
    "record_invitation",
    "reject_held_signature",
    "release_signature",
    "resend_confirmation",
    "restore_signature",
    "set_organisation_email_domains",
    "sign",
    "signature_for_token",
    "signatures_to_invite",
    "signer_domain_verified",
    "verify_organisation",
    "withdraw",
]
