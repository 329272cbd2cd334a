"""Software architecture (IEC 62304 5.3, 8.1.2; ISO 13485:2016 7.3.4): items and SOUP."""

from __future__ import annotations

from qspine.demo.spec import Content, Days, load

TEXT = """
records:
  software_item:
    _:
      by: lena
      signers: {approved: tomas}
      safety_class: B
      classification_rationale: >-
        Failure could contribute to a delayed diagnosis; the cytopathologist's interpretation
        and histological confirmation are external risk controls, so no death or serious
        injury follows from the software alone (class B).
    swi1:
      status: approved
      title: CytoAssist cloud service
      decomposition_level: software_system
      description: >-
        The whole SaMD: case intake API, inference, report rendering and identity gateway,
        deployed as containers on a managed Kubernetes cluster.
      repository: git.acme-medtech.example/cytoassist/platform
    swi2:
      status: approved
      title: Case intake and input validation
      decomposition_level: software_item
      description: >-
        Receives feature vectors from the LIS, checks completeness, units and ranges, and binds
        accession and specimen identifiers to the case.
      repository: git.acme-medtech.example/cytoassist/platform//intake
    swi3:
      status: approved
      title: Inference engine
      decomposition_level: software_item
      description: >-
        Loads the pinned model, verifies its weights hash, computes the calibrated probability
        and the categorical result, and signs the result.
      repository: git.acme-medtech.example/cytoassist/platform//inference
    swi4:
      status: approved
      title: Report renderer
      decomposition_level: software_item
      description: >-
        Verifies result signatures and renders the web and PDF reports with the intended-use
        and limitation statements.
      repository: git.acme-medtech.example/cytoassist/platform//reports
    swi5:
      status: in_review
      title: Identity and access gateway
      decomposition_level: software_item
      description: OIDC/SAML relying party, mutual-TLS termination and role-based authorisation.
    swi6:
      status: in_review
      title: Security event logging
      decomposition_level: software_item
      description: Structured security events shipped to the write-once log archive.
      safety_class: A
      classification_rationale: No hazardous contribution; a logging failure cannot change a result.
    swi7:
      status: in_review
      title: scikit-learn (SOUP)
      decomposition_level: software_item
      description: >-
        Machine-learning library providing the gradient-boosting classifier and isotonic
        calibration used at training and inference.
      soup: true
      manufacturer: scikit-learn developers (NumFOCUS fiscally sponsored project)
      version: "1.4.2"
      soup_requirements: >-
        HistGradientBoostingClassifier and CalibratedClassifierCV with deterministic
        predictions for a fixed model file; CPython 3.11, numpy 1.26, scipy 1.12, x86-64 Linux.
      soup_anomaly_review: >-
        Release notes and issues labelled Bug for 1.4.x reviewed; none affects prediction of a
        fitted model. CVE-2024-5206 (TfidfVectorizer) concerns code CytoAssist does not use.
    swi8:
      status: draft
      title: Feature attribution explainer
      decomposition_level: software_item
      description: Computes per-case feature attributions (TreeSHAP) for the web viewer.
    swi9:
      status: in_review
      title: LIS HL7 interface adapter
      decomposition_level: software_item
      description: >-
        HL7 v2.5.1 ORU/ORM adapter for LIS integration, including the feature-extraction
        software version check.

links:
  implements: {swi1: [req6, req14], swi2: [req4, req5], swi3: [req1, req2, req13],
               swi4: [req11, req9, req5], swi5: [req7, req8], swi6: [req10], swi7: [req1],
               swi8: [req15], swi9: [req19]}
"""


def content(days: Days) -> Content:
    return load(TEXT, days)
