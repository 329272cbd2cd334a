"""Electronic signatures (21 CFR 11.50, 11.70): what a signature binds and how it shows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from qspine.model.fingerprint import canonical_json, sha256_hex


@dataclass(frozen=True)
class SignatureView:
    """A signature with its manifestation (printed name, UTC time, meaning) and check result."""

    id: int
    key: str
    version: int
    signer: str
    printed_name: str
    meaning: str
    meaning_title: str
    at: dt.datetime
    reason: str
    fingerprint: str
    valid: bool

    @property
    def manifestation(self) -> str:
        """The human-readable form 11.50 requires wherever the signed record is shown."""
        stamp = self.at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        return f"{self.printed_name} ({self.signer}) — {self.meaning_title} — {stamp}"


def signature_binding(
    *,
    signer: str,
    printed_name: str,
    meaning: str,
    at: dt.datetime,
    key: str,
    version: int,
    fingerprint: str,
) -> str:
    """Hash binding the signer, meaning and time to the signed content's fingerprint (11.70).

    Any change to the signed version's content changes its fingerprint; any change to the
    stored signature changes this binding: either way the signature no longer verifies.
    """
    return sha256_hex(
        canonical_json(
            {
                "signer": signer,
                "printed_name": printed_name,
                "meaning": meaning,
                "at": at.astimezone(dt.UTC).isoformat(),
                "key": key,
                "version": version,
                "fingerprint": fingerprint,
            }
        )
    )
