"""The neutral shape SBOMs are read into, and the helpers the CycloneDX and SPDX readers share."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

CYCLONEDX = "CycloneDX"
SPDX = "SPDX"
COMPONENT_TYPES = (
    "library",
    "framework",
    "application",
    "operating_system",
    "firmware",
    "container",
    "device_driver",
    "service",
    "other",
)


@dataclass(frozen=True)
class SbomComponent:
    """One component (CycloneDX component or service, SPDX package) as the SBOM states it."""

    ref: str  # bom-ref (CycloneDX; made from purl or name@version when absent) or SPDXID
    name: str
    version: str  # "" when absent
    purl: str  # "" when absent; canonical form from packageurl
    cpe: str  # "" when absent
    supplier: str  # supplier, else publisher/author(s) (SPDX: supplier, else originator)
    component_type: str  # one of COMPONENT_TYPES
    hashes: tuple[str, ...]  # "ALG:hex" with CycloneDX algorithm names, e.g. "SHA-256:ab12"
    licenses: tuple[str, ...]  # SPDX ids or expressions, or licence names when no id
    depends_on: tuple[str, ...]  # refs of the components this one depends on directly
    direct: bool | None  # a direct dependency of the subject; None when the SBOM does not say
    group: str = ""  # CycloneDX group (e.g. a Maven groupId), "" when absent


@dataclass(frozen=True)
class Sbom:
    """An SBOM as read: what it describes and every component, in document order."""

    path: str  # file name as given
    format: str  # CYCLONEDX or SPDX
    spec_version: str  # e.g. "1.5" or "SPDX-2.3"
    serial: str  # CycloneDX serialNumber / SPDX documentNamespace, "" if absent
    subject: str  # name@version of the metadata component / described package, "" if none
    components: tuple[SbomComponent, ...]
    created: str  # timestamp as in the document, "" if absent
    warnings: tuple[str, ...] = ()  # library warnings, dangling dependency refs; de-duplicated


# --- Helpers the readers share ---------------------------------------------------------


def name_at_version(name: str | None, version: str | None) -> str:
    return f"{name or ''}@{version}" if version else name or ""


def summary(messages: Iterable[str], shown: int = 3) -> str:
    """The first few messages, one line each, and how many more there are."""
    items = [shorten(one_line(message), 240) for message in messages]
    text = "; ".join(items[:shown])
    return f"{text} (and {len(items) - shown} more)" if len(items) > shown else text


def one_line(text: str) -> str:
    return " ".join(text.split())


def shorten(text: str, limit: int = 400) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."
