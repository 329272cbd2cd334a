"""Use cases: one transaction per call, permission checks and audit events inside."""
