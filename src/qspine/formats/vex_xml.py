"""A CycloneDX XML bom as the dicts its JSON form would give, for the parts VEX reads
(components, services, vulnerabilities), so one reader serves both encodings."""

from __future__ import annotations

from typing import Any


def xml_bom(root: Any, namespace: str) -> dict[str, Any]:
    """The JSON-shaped document of a (schema-valid) CycloneDX XML `root`."""
    return _XmlBom(namespace).document(root)


class _XmlBom:
    """A CycloneDX XML bom as the dicts its JSON form would give (the parts VEX reads)."""

    def __init__(self, namespace: str) -> None:
        self.ns = f"{{{namespace}}}"

    def document(self, root: Any) -> dict[str, Any]:
        metadata = root.find(f"{self.ns}metadata")
        meta: dict[str, Any] = {}
        if metadata is not None:
            meta["timestamp"] = self._text(metadata, "timestamp")
            component = metadata.find(f"{self.ns}component")
            if component is not None:
                meta["component"] = self._component(component)
            for key in ("supplier", "manufacturer", "manufacture"):
                meta[key] = {"name": self._text(metadata, f"{key}/{self.ns}name")}
        return {
            "serialNumber": root.get("serialNumber", ""),
            "metadata": meta,
            "components": [
                self._component(c) for c in root.iterfind(f"{self.ns}components/{self.ns}component")
            ],
            "services": [
                self._component(s) for s in root.iterfind(f"{self.ns}services/{self.ns}service")
            ],
            "vulnerabilities": [
                self._vulnerability(v)
                for v in root.iterfind(f"{self.ns}vulnerabilities/{self.ns}vulnerability")
            ],
        }

    def _text(self, element: Any, path: str) -> str:
        found = element.findtext(f"{self.ns}{path}")
        return str(found).strip() if found else ""

    def _component(self, element: Any) -> dict[str, Any]:
        nested = f"{self.ns}components/{self.ns}component"
        return {
            "bom-ref": element.get("bom-ref", ""),
            "name": self._text(element, "name"),
            "version": self._text(element, "version"),
            "purl": self._text(element, "purl"),
            "components": [self._component(c) for c in element.iterfind(nested)],
        }

    def _vulnerability(self, element: Any) -> dict[str, Any]:
        ns = self.ns
        analysis = element.find(f"{ns}analysis")
        found: dict[str, Any] = {}
        if analysis is not None:
            found = {
                "state": self._text(analysis, "state"),
                "justification": self._text(analysis, "justification"),
                "response": [
                    (r.text or "").strip() for r in analysis.iterfind(f"{ns}responses/{ns}response")
                ],
                "detail": self._text(analysis, "detail"),
                "firstIssued": self._text(analysis, "firstIssued"),
                "lastUpdated": self._text(analysis, "lastUpdated"),
            }
        return {
            "id": self._text(element, "id"),
            "references": [
                {"id": self._text(r, "id")}
                for r in element.iterfind(f"{ns}references/{ns}reference")
            ],
            "analysis": found,
            "recommendation": self._text(element, "recommendation"),
            "updated": self._text(element, "updated"),
            "published": self._text(element, "published"),
            "properties": [
                {"name": p.get("name", ""), "value": (p.text or "").strip()}
                for p in element.iterfind(f"{ns}properties/{ns}property")
            ],
            "affects": [
                {
                    "ref": self._text(target, "ref"),
                    "versions": [
                        {
                            "version": self._text(v, "version"),
                            "range": self._text(v, "range"),
                            "status": self._text(v, "status"),
                        }
                        for v in target.iterfind(f"{ns}versions/{ns}version")
                    ],
                }
                for target in element.iterfind(f"{ns}affects/{ns}target")
            ],
        }
