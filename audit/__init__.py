"""The audit trail: an append-only record of who did what (`audit.models.AuditEvent`), written
only through `audit.services` (`record`, `redact`) and read by the staff pages (`audit.presenters`)."""
