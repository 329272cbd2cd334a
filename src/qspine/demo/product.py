"""The product: model versions, datasets, model validation runs, releases and the SBOM.

The model is trained and tested on the public Wisconsin Diagnostic Breast Cancer data (the
copy scikit-learn ships as `load_breast_cancer`). MV-1, DS-1 to DS-3 and VR-1 are real: their
`!digest` stand-ins below are replaced by computed fingerprints and VR-1 is executed
(demo/ai.py). DS-4, DS-5, MV-2 and MV-3 are narrative records whose data and weights are not
part of the demo; their digests stay stand-ins.
"""

from __future__ import annotations

from qspine.demo.spec import Content, Days, Link, digest, load

TEXT = """
records:
  model_version:
    _:
      by: mei
      architecture: >-
        Gradient-boosted decision trees (HistGradientBoostingClassifier, max_depth 3, 300
        iterations) with isotonic calibration
      random_seed: 20240117
      input_specification: >-
        30 real-valued features - mean, standard error and worst (mean of the three largest
        values) of radius, texture, perimeter, area, smoothness, compactness, concavity,
        concave points, symmetry and fractal dimension of the segmented nuclei.
      preprocessing: None beyond unit and range checks; trees need no scaling.
      intended_use: >-
        Adjunct to cytopathologist interpretation of breast FNA in adults; not for screening
        or stand-alone diagnosis.
    mv1:
      status: released
      also_signs: {reviewed: mei}
      title: CytoAssist malignancy model 1.0.0
      version_label: 1.0.0
      weights_sha256: !digest model/1.0.0/weights.joblib
      framework: scikit-learn 1.4.2, numpy 1.26.4, scipy 1.12.0, CPython 3.11.8
      code_commit: 9c1e4f7a2b6d8e0f1a3c5b7d9e2f4a6c8b0d1e3f
      runtime: Container image 2.0.0+412, x86-64 CPU, OMP_NUM_THREADS=1 (deterministic)
      thresholds: Elevated likelihood when the calibrated probability is 0.50 or higher.
    mv2:
      status: in_review
      title: CytoAssist malignancy model 1.1.0
      version_label: 1.1.0
      weights_sha256: !digest model/1.1.0/weights.joblib
      framework: scikit-learn 1.5.0, numpy 1.26.4, scipy 1.12.0, CPython 3.11.8
      code_commit: 4d2a8b1c6e0f3a5b7c9d1e3f5a7b9c0d2e4f6a8b
      runtime: Container image 2.1.0-rc1+57, x86-64 CPU, OMP_NUM_THREADS=1 (deterministic)
      thresholds: Elevated likelihood when the calibrated probability is 0.42 or higher.
      pccp_version: PCCP-CA-01 v1.0
      modification_id: M1 (re-fit on updated SOUP) and M2 (decision threshold)
    mv3:
      status: draft
      title: CytoAssist candidate 1.1.0-c1 (pairwise worst-feature interactions)
      version_label: 1.1.0-c1
      weights_sha256: !digest model/1.1.0-c1/weights.joblib
      framework: scikit-learn 1.5.0, numpy 1.26.4, scipy 1.12.0, CPython 3.11.8
      thresholds: Elevated likelihood when the calibrated probability is 0.42 or higher.
      pccp_version: PCCP-CA-01 v1.0
      modification_id: M3 (feature engineering)

  dataset:
    _: {by: mei, signers: {approved: marco}, license: CC BY 4.0, contains_phi: false}
    ds1:
      status: proposed
      title: WDBC source dataset (scikit-learn 1.4.2 copy)
      purpose: mixed
      manifest_sha256: !digest dataset/wdbc/manifest
      row_count: 569
      source: >-
        Wisconsin Diagnostic Breast Cancer data - 569 breast FNA cases (357 benign, 212
        malignant) with 30 features computed from digitised images of the aspirate (W. H.
        Wolberg, W. N. Street, O. L. Mangasarian, University of Wisconsin); obtained as
        sklearn.datasets.load_breast_cancer, a copy of UCI ML Repository dataset 17.
      collection_period: 1989 to 1995
      population: >-
        Patients referred for breast FNA at the University of Wisconsin Hospitals; the data
        carry no age, sex, race or ethnicity fields.
      reference_standard: Diagnosis recorded in the original study (malignant cases confirmed)
    ds2:
      status: approved
      title: WDBC training split v1 (70%, stratified)
      purpose: training
      manifest_sha256: !digest dataset/wdbc-train-v1/manifest
      row_count: 398
      source: Derived from DS-1 by a stratified split, seed 20240117 (250 benign, 148 malignant).
      split: 70% of DS-1, stratified by diagnosis, seed 20240117
      transformation: >-
        sklearn.model_selection.train_test_split(test_size=0.3, stratify=diagnosis,
        random_state=20240117) on DS-1; rows sorted by case id (qspine.demo.cytoassist.data).
      sequestered: false
    ds3:
      status: approved
      title: WDBC sequestered test split v1 (30%, stratified)
      purpose: test
      manifest_sha256: !digest dataset/wdbc-test-v1/manifest
      row_count: 171
      source: >-
        Derived from DS-1 - the complement of DS-2 (107 benign, 64 malignant); held by QA and
        released to the evaluation pipeline only.
      split: 30% of DS-1, stratified by diagnosis, seed 20240117 (the complement of DS-2)
      transformation: >-
        The test half of the same train_test_split call as DS-2; rows sorted by case id.
      sequestered: true
    ds4:
      status: proposed
      title: Northfield external validation set 2025
      purpose: external_validation
      manifest_sha256: !digest dataset/northfield-2025/manifest
      row_count: 412
      source: >-
        Northfield Cytopathology Partners - consecutive breast FNA cases from two sites with
        histology; features extracted by the CytoAssist pipeline.
      license: Data use agreement DUA-NCP-2024-02 (renewal pending)
      population: Adults aged 24 to 88; 38% over 60; two staining protocols.
      sequestered: true
    ds5:
      status: proposed
      title: Production monitoring extract, all sites (rolling 90 days)
      purpose: monitoring
      manifest_sha256: !digest dataset/monitoring/manifest
      row_count: 18211
      source: >-
        De-identified feature vectors and final diagnoses returned by consenting customer
        laboratories.
      license: Customer agreements, section 9 (post-market data)

  pccp_modification:
    _:
      by: mei
      pccp_version: PCCP-CA-01 v1.0
      authorization: K250123 (CytoAssist 2.0, PCCP authorised with the 510(k))
    pccp1:
      status: approved
      title: M1 - re-fit on updated SOUP versions
      modification_id: M1
      description: >-
        Re-fit the model with the same architecture, features, hyper-parameters and training
        data when scikit-learn, NumPy or SciPy is updated in the runtime image.
      modification_protocol: >-
        Re-train on the approved training split derived from DS-1 with the pinned
        configuration; evaluate on the sequestered test split under VP-CA-003; implement only
        when every acceptance criterion is met and the evaluation reruns bit for bit.
      impact_assessment: >-
        Changes the numerical library, not the learned function's inputs or intended use;
        performance floors hold the clinical risk (HAZ-1 false negative) at its assessed level.
      envelope: |-
        may change: weights_sha256, environment_sha256
        sensitivity >= 0.93
        specificity >= 0.90
        training data from DS-1
    pccp2:
      status: approved
      title: M2 - decision threshold re-tuning
      modification_id: M2
      description: >-
        Move the operating point of the calibrated probability within 0.35 to 0.55 to restore
        sensitivity after a documented drift, without re-training.
      modification_protocol: >-
        Choose the threshold on the training split only; confirm on the sequestered test split
        under VP-CA-003 with the same criteria; labelling states the operating point.
      impact_assessment: >-
        Trades specificity for sensitivity inside bounds agreed with the clinical lead; the
        specificity floor keeps unnecessary biopsy referrals at the assessed level (HAZ-3).
      envelope: |-
        may change: decision_threshold
        decision_threshold between 0.35 and 0.55
        sensitivity >= 0.93
        specificity >= 0.90
    pccp3:
      status: draft
      title: M3 - pairwise worst-feature interactions
      modification_id: M3
      description: Add pairwise interactions of the worst-value features as model inputs.
      modification_protocol: >-
        Feature engineering inside the training pipeline; full re-validation on the sequestered
        split and the external set DS-4.
      impact_assessment: >-
        Changes the preprocessing; not yet assessed against the risk file (draft, not part of
        the authorised plan).
      envelope: |-
        may change: weights_sha256, preprocessing_ref, configuration_sha256
        sensitivity >= 0.93
        specificity >= 0.90

  validation_run:
    _:
      by: mei
      signers: {verified: aisha}
      executed_by: eval-pipeline (started by mei)
      acceptance_criteria: >-
        Sensitivity at least 0.93 and specificity at least 0.90 (lower 95% Wilson bounds at
        least 0.85); calibration slope 0.9 to 1.1; AUC at least 0.95. Fixed in VP-CA-003
        before the run.
      subgroup_analysis: >-
        WDBC has no demographic fields, so subgroups are tumour-size tertiles (worst radius)
        only; demographic subgroups are analysed on DS-4 (VR-4).
    vr1:
      # Executed by QSpine while seeding (demo/ai.py): these fields only pass the content
      # check; the record is the run's own, and it is signed verified and recorded here.
      status: recorded
      title: Model 1.0.0 on the sequestered split DS-3
      metrics: Computed by QSpine from the run's predictions.
      outcome: pass
    vr2:
      status: recorded
      title: Candidate 1.1.0-c1 on the sequestered split DS-3
      run_on: !stamp [70, 11]
      code_commit: 7e9a1c3b5d7f9a2c4e6b8d0f2a4c6e8b1d3f5a7c
      metrics: >-
        AUC 0.989; sensitivity 0.969 (62/64); specificity 0.832 (89/107, lower bound 0.749),
        below the specificity criterion.
      comparison: >-
        Worse than 1.0.0 on specificity; candidate rejected and not implemented (PCCP-CA-01
        section 4.3 - a failed evaluation is recorded, never discarded).
      outcome: fail
    vr3:
      status: draft
      title: Model 1.1.0 on the sequestered split DS-3
      run_on: !stamp [40, 11]
      code_commit: 2c4e6a8b0d1f3a5c7e9b1d3f5a7c9e0b2d4f6a8c
      metrics: >-
        AUC 0.992; sensitivity 0.984 (63/64, lower bound 0.917); specificity 0.925 (99/107,
        lower bound 0.859); calibration slope 1.02.
      comparison: >-
        Against 1.0.0 (the authorised version) - sensitivity +0.031, specificity -0.047,
        within PCCP-CA-01 M2 limits. DS-3 has now been used for three evaluations (NC-3).
      outcome: pass
    vr4:
      status: draft
      title: Model 1.1.0 on the Northfield external set DS-4
      run_on: !stamp [12, 11]
      metrics: Preliminary - sensitivity 0.953 (143/150); specificity 0.897 (235/262).
      subgroup_analysis: >-
        Age under and over 60, staining protocol A and B - no subgroup sensitivity below 0.92
        (analysis under review).
      outcome: pass

  release:
    _: {by: lena, cyber_device: true}
    rel1:
      status: released
      title: CytoAssist 2.0.0
      version_label: 2.0.0
      release_date: !ago 300
      release_type: major
      udi_di: "00860012345601"
      regulatory_pathway: new_510k
      build_reference: registry.acme-medtech.example/cytoassist/api:2.0.0 (build 2.0.0+412)
      release_notes: >-
        Cloud deployment with LIS integration; model 1.0.0; out-of-range warning; signed
        results; MFA through the laboratory identity provider.
      known_anomalies: >-
        PR-187 - the PDF footer truncates specimen identifiers longer than 40 characters (the
        identifier is also in the header; no safety impact).
    rel2:
      status: in_review
      title: CytoAssist 2.1.0
      version_label: 2.1.0
      release_date: !ahead 21
      release_type: pccp_modification
      udi_di: "00860012345618"
      regulatory_pathway: within_authorized_pccp
      build_reference: registry.acme-medtech.example/cytoassist/api:2.1.0-rc1 (build 2.1.0-rc1+57)
      release_notes: >-
        Model 1.1.0 (decision threshold 0.42, PCCP-CA-01 M1 and M2); nginx 1.26.1
        (CVE-2023-44487); dependency updates; feature attribution display (validation
        pending).
      known_anomalies: >-
        PR-233 - HTTP/2 stream limits not applied in the staging profile (open; blocks
        release).

  sbom_component:
    _: {by: ravi, status: proposed, signers: {approved: marco}, support_level: maintained,
        component_type: library, dependency: transitive}
    sbom1: {name: cpython, version: "3.11.8", purl: "pkg:generic/cpython@3.11.8",
            component_type: framework, dependency: direct, licenses: [PSF-2.0],
            supplier_name: Python Software Foundation, end_of_support: 2027-10-31,
            cpe: "cpe:2.3:a:python:python:3.11.8:*:*:*:*:*:*:*"}
    sbom2: {name: openssl, version: "3.0.11-1~deb12u2", licenses: [Apache-2.0],
            purl: "pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64&distro=debian-12",
            supplier_name: Debian, cpe: "cpe:2.3:a:openssl:openssl:3.0.11:*:*:*:*:*:*:*"}
    sbom3: {name: nginx, version: "1.24.0", purl: "pkg:generic/nginx@1.24.0",
            component_type: application, dependency: direct, licenses: [BSD-2-Clause],
            supplier_name: "F5, Inc.", cpe: "cpe:2.3:a:f5:nginx:1.24.0:*:*:*:*:*:*:*"}
    sbom4: {name: fastapi, version: "0.110.0", purl: "pkg:pypi/fastapi@0.110.0",
            component_type: framework, dependency: direct, licenses: [MIT],
            supplier_name: Sebastián Ramírez}
    sbom5: {name: starlette, version: "0.36.3", purl: "pkg:pypi/starlette@0.36.3",
            component_type: framework, licenses: [BSD-3-Clause], supplier_name: Encode OSS}
    sbom6: {name: uvicorn, version: "0.29.0", purl: "pkg:pypi/uvicorn@0.29.0",
            component_type: application, dependency: direct, licenses: [BSD-3-Clause],
            supplier_name: Encode OSS}
    sbom7: {name: pydantic, version: "2.6.4", purl: "pkg:pypi/pydantic@2.6.4", dependency: direct,
            licenses: [MIT], supplier_name: Pydantic Services Inc.}
    sbom8: {name: numpy, version: "1.26.4", purl: "pkg:pypi/numpy@1.26.4", dependency: direct,
            licenses: [BSD-3-Clause], supplier_name: NumPy developers, status: approved,
            cpe: "cpe:2.3:a:numpy:numpy:1.26.4:*:*:*:*:*:*:*"}
    sbom9: {name: scipy, version: "1.12.0", purl: "pkg:pypi/scipy@1.12.0",
            licenses: [BSD-3-Clause], supplier_name: SciPy developers}
    sbom10: {name: scikit-learn, version: "1.4.2", purl: "pkg:pypi/scikit-learn@1.4.2",
             dependency: direct, licenses: [BSD-3-Clause], supplier_name: scikit-learn developers}
    sbom11: {name: joblib, version: "1.3.2", purl: "pkg:pypi/joblib@1.3.2",
             licenses: [BSD-3-Clause], supplier_name: joblib developers}
    sbom12: {name: sqlalchemy, version: "2.0.29", purl: "pkg:pypi/sqlalchemy@2.0.29",
             dependency: direct, licenses: [MIT], supplier_name: SQLAlchemy authors}
    sbom13: {name: psycopg, version: "3.1.18", purl: "pkg:pypi/psycopg@3.1.18",
             dependency: direct, licenses: [LGPL-3.0-only], supplier_name: Psycopg team}
    sbom14: {name: libpq5, version: "15.6-0+deb12u1", licenses: [PostgreSQL],
             purl: "pkg:deb/debian/libpq5@15.6-0%2Bdeb12u1?arch=amd64&distro=debian-12",
             supplier_name: PostgreSQL Global Development Group,
             cpe: "cpe:2.3:a:postgresql:postgresql:15.6:*:*:*:*:*:*:*"}
    sbom15: {name: cryptography, version: "42.0.5", purl: "pkg:pypi/cryptography@42.0.5",
             dependency: direct, licenses: [Apache-2.0 OR BSD-3-Clause],
             supplier_name: Python Cryptographic Authority}
    sbom16: {name: requests, version: "2.31.0", purl: "pkg:pypi/requests@2.31.0",
             dependency: direct, licenses: [Apache-2.0], supplier_name: Python Software Foundation}
    sbom17: {name: urllib3, version: "2.2.1", purl: "pkg:pypi/urllib3@2.2.1", licenses: [MIT],
             supplier_name: urllib3 maintainers}
    sbom18: {name: jinja2, version: "3.1.3", purl: "pkg:pypi/jinja2@3.1.3", dependency: direct,
             licenses: [BSD-3-Clause], supplier_name: Pallets}
    sbom19: {name: anyio, version: "4.3.0", purl: "pkg:pypi/anyio@4.3.0", licenses: [MIT],
             supplier_name: Alex Grönholm}
    sbom20: {name: sniffio, version: "1.3.1", purl: "pkg:pypi/sniffio@1.3.1",
             licenses: [MIT OR Apache-2.0], supplier_name: Python Trio project}
    sbom21: {name: h11, version: "0.14.0", purl: "pkg:pypi/h11@0.14.0", licenses: [MIT],
             supplier_name: Python Hyper project}
    sbom22: {name: click, version: "8.1.7", purl: "pkg:pypi/click@8.1.7",
             licenses: [BSD-3-Clause], supplier_name: Pallets}
    sbom23: {name: idna, version: "3.6", purl: "pkg:pypi/idna@3.6", licenses: [BSD-3-Clause],
             supplier_name: Kim Davies}
    sbom24: {name: certifi, version: "2024.2.2", purl: "pkg:pypi/certifi@2024.2.2",
             licenses: [MPL-2.0], supplier_name: Certifi maintainers}
    sbom25: {name: charset-normalizer, version: "3.3.2", licenses: [MIT],
             purl: "pkg:pypi/charset-normalizer@3.3.2", supplier_name: Ahmed Tahri}
    sbom26: {name: typing-extensions, version: "4.10.0", licenses: [PSF-2.0],
             purl: "pkg:pypi/typing-extensions@4.10.0", supplier_name: Python typing team}
    sbom27: {name: annotated-types, version: "0.6.0", licenses: [MIT],
             purl: "pkg:pypi/annotated-types@0.6.0", supplier_name: annotated-types maintainers}
    sbom28: {name: pydantic-core, version: "2.16.3", licenses: [MIT],
             purl: "pkg:pypi/pydantic-core@2.16.3", supplier_name: Pydantic Services Inc.}
    sbom29: {name: markupsafe, version: "2.1.5", purl: "pkg:pypi/markupsafe@2.1.5",
             licenses: [BSD-3-Clause], supplier_name: Pallets}
    sbom30: {name: threadpoolctl, version: "3.4.0", purl: "pkg:pypi/threadpoolctl@3.4.0",
             licenses: [BSD-3-Clause], supplier_name: joblib developers}
    sbom31: {name: cffi, version: "1.16.0", purl: "pkg:pypi/cffi@1.16.0", licenses: [MIT],
             supplier_name: CFFI developers}
    sbom32: {name: pycparser, version: "2.21", purl: "pkg:pypi/pycparser@2.21",
             licenses: [BSD-3-Clause], supplier_name: Eli Bendersky}
    sbom33: {name: greenlet, version: "3.0.3", purl: "pkg:pypi/greenlet@3.0.3",
             licenses: [MIT AND PSF-2.0], supplier_name: Python greenlet project}
    sbom34: {name: python-multipart, version: "0.0.9", licenses: [Apache-2.0], dependency: direct,
             purl: "pkg:pypi/python-multipart@0.0.9", supplier_name: Andrew Dunham}
    sbom35: {name: libc6, version: "2.36-9+deb12u4", licenses: [LGPL-2.1-or-later],
             purl: "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12",
             component_type: operating_system, supplier_name: Debian}
    sbom36: {name: zlib1g, version: "1:1.2.13.dfsg-1", licenses: [Zlib],
             purl: "pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64&distro=debian-12",
             supplier_name: Debian}
    sbom37: {name: nginx, version: "1.26.1", purl: "pkg:generic/nginx@1.26.1",
             component_type: application, dependency: direct, licenses: [BSD-2-Clause],
             supplier_name: "F5, Inc.", cpe: "cpe:2.3:a:f5:nginx:1.26.1:*:*:*:*:*:*:*"}
    sbom38: {name: scikit-learn, version: "1.5.0", purl: "pkg:pypi/scikit-learn@1.5.0",
             dependency: direct, licenses: [BSD-3-Clause], supplier_name: scikit-learn developers,
             status: approved}
    sbom39: {name: cryptography, version: "42.0.8", purl: "pkg:pypi/cryptography@42.0.8",
             dependency: direct, licenses: [Apache-2.0 OR BSD-3-Clause],
             supplier_name: Python Cryptographic Authority}
    sbom40: {name: urllib3, version: "2.2.2", purl: "pkg:pypi/urllib3@2.2.2", licenses: [MIT],
             supplier_name: urllib3 maintainers}
    sbom41: {name: requests, version: "2.32.3", purl: "pkg:pypi/requests@2.32.3",
             dependency: direct, licenses: [Apache-2.0], supplier_name: Python Software Foundation}
    sbom42: {name: jinja2, version: "3.1.4", purl: "pkg:pypi/jinja2@3.1.4", dependency: direct,
             licenses: [BSD-3-Clause], supplier_name: Pallets}
    sbom43: {name: idna, version: "3.7", purl: "pkg:pypi/idna@3.7", licenses: [BSD-3-Clause],
             supplier_name: Kim Davies}

links:
  trained_on: {mv1: [ds2], mv2: [ds2], mv3: [ds2]}
  derived_from_dataset: {ds2: [ds1], ds3: [ds1]}
  evaluates: {vr1: [mv1], vr2: [mv3], vr3: [mv2], vr4: [mv2]}
  modifies_model: {mv2: [mv1], mv3: [mv1]}
  implements: {mv1: [req3], mv2: [req3], mv3: [req3]}
  implements_modification: {mv2: [pccp1, pccp2], mv3: [pccp3]}
  uses_data: {vr1: [ds3], vr2: [ds3], vr3: [ds3], vr4: [ds4]}
  supplied_by: {sbom1: [sup10], sbom2: [sup11], sbom3: [sup6], sbom8: [sup4], sbom10: [sup3],
                sbom14: [sup7], sbom15: [sup5], sbom35: [sup11], sbom36: [sup11],
                sbom37: [sup6], sbom38: [sup3], sbom39: [sup5], ds1: [sup9], ds2: [sup9],
                ds3: [sup9], ds4: [sup2], swi7: [sup3]}

late_links:
  # Made after REQ-2 v2 is approved: the 2.1 baseline pins the versions current then.
  baseline_of: {rel2: [req1, req2, req3, req4, req5, req6, req7, req8, req9, req10, req11, req12,
                       req13, req14, rc1, rc2, rc3, rc4, rc5, rc6]}
"""

REPLACED_IN_21 = {
    "sbom3": "sbom37",
    "sbom10": "sbom38",
    "sbom15": "sbom39",
    "sbom17": "sbom40",
    "sbom16": "sbom41",
    "sbom18": "sbom42",
    "sbom23": "sbom43",
}
CONTAINED_20 = [f"sbom{n}" for n in range(1, 37)]
CONTAINED_21 = [REPLACED_IN_21.get(local, local) for local in CONTAINED_20]
BASELINE_20 = [f"req{n}" for n in range(1, 15)] + [f"tc{n}" for n in range(1, 10)]


def content(days: Days) -> Content:
    loaded = load(TEXT, days)
    for record in loaded.records:
        if record.kind == "sbom_component":
            name, version, purl = (record.fields[k] for k in ("name", "version", "purl"))
            record.fields.setdefault("title", f"{name}@{version}")
            record.fields.setdefault("hashes", [f"SHA-256:{digest(purl)}"])
    loaded.links += _releases()
    return loaded


def _releases() -> list[Link]:
    swi_20 = [f"swi{n}" for n in range(1, 8)]
    swi_21 = [*swi_20, "swi8", "swi9"]
    rc_20 = [f"rc{n}" for n in range(1, 7)]
    return [
        *(Link("contains", "rel1", t) for t in [*swi_20, *CONTAINED_20, "mv1"]),
        *(Link("contains", "rel2", t) for t in [*swi_21, *CONTAINED_21, "mv2"]),
        *(Link("baseline_of", "rel1", t) for t in [*BASELINE_20, *rc_20, "doc7", "doc16"]),
    ]
