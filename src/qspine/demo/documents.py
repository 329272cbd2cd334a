"""QMS documents, job roles, training records and suppliers (ISO 13485:2016 4.2, 6.2, 7.4).

SOP-005 is the deliberate document gap: effective, named like a working file and still
written against the withdrawn QS regulation (21 CFR 820.30, DHF, DMR).
"""

from __future__ import annotations

from qspine.demo.spec import Content, Days, load

TEXT = """
records:
  document:
    _: {by: marco, document_type: sop, training_required: true, review_period_months: 24}
    doc1:
      status: effective
      doc_number: SOP-001
      title: Control of Documents and Records
      owner: marco
      revision: F
      effective_date: !ago 400
      next_review_due: !ahead 330
      body: >-
        Documents are approved before issue by a person other than the author, carry a
        revision, are available at the point of use and are withdrawn when obsolete (ISO
        13485:2016 4.2.4). Records are retained for the design life of the device and at least
        two years from release (4.2.5); electronic records and signatures meet 21 CFR Part 11.
    doc2:
      status: effective
      doc_number: SOP-002
      title: Corrective and Preventive Action
      owner: marco
      revision: D
      effective_date: !ago 380
      next_review_due: !ahead 350
      body: >-
        Every CAPA records the problem, containment, root cause, actions, the risk-file items
        assessed (with a rationale when there is no risk impact), predefined effectiveness
        criteria and the effectiveness check (ISO 13485:2016 8.5.2 and 8.5.3; ISO 14971:2019
        clause 10). Closure is signed by QA/RA, never by the CAPA owner.
    doc3:
      status: effective
      doc_number: SOP-003
      title: Complaint Handling and Medical Device Reporting
      owner: dana
      revision: E
      effective_date: !ago 120
      next_review_due: !ahead 610
      change_summary: Rev E adds the QMSR 820.35(a) record elements and the MDR deadline (CR-4).
      body: >-
        Any employee who learns of a complaint records it the same day; the awareness date
        starts the MDR clock. Every complaint receives a documented MDR reportability decision
        within 30 calendar days of awareness (5 work days where remedial action is needed), per
        21 CFR 803.50 and 820.10(b)(3). Complaint records hold the 21 CFR 820.35(a) elements.
    doc4:
      status: effective
      by: tomas
      doc_number: SOP-004
      title: Risk Management
      owner: tomas
      revision: C
      effective_date: !ago 420
      next_review_due: !ahead 310
      body: >-
        Risk management follows ISO 14971:2019 - hazards, hazardous situations and harms with
        P1/P2 estimation; risk controls verified for implementation and effectiveness; security
        risks with safety impact carried into the safety risk file (AAMI SW96:2023).
    doc5:
      status: effective
      by: lena
      doc_number: SOP-005
      title: SOP-005 Design Control final_v7_revised
      owner: lena
      revision: "7"
      effective_date: !ago 700
      next_review_due: !ahead 30
      change_summary: Reformatted; references unchanged.
      body: |-
        1 Purpose. This procedure implements the design control requirements of the
        Quality System Regulation (QSR), 21 CFR 820.30, for all Acme MedTech products.

        2 Design History File. Design inputs, outputs, reviews, verification, validation and
        transfer records are filed in the Design History File (DHF) of each product; the
        Device Master Record (DMR) is compiled at design transfer.

        3 Design reviews are held at the end of each phase and include an individual without
        direct responsibility for the stage being reviewed (21 CFR 820.30(e)).

        4 Design changes follow 21 CFR 820.30(i) and SOP-001.
    doc6:
      status: in_review
      by: lena
      doc_number: SOP-006
      title: Software Development Life Cycle and Model Release
      owner: lena
      revision: D
      change_summary: Rev D adds the model release gate and the test-split reuse limit.
      body: >-
        Software is developed to IEC 62304 class B; SOUP is identified by manufacturer and
        version and its anomaly lists are reviewed. A model version is released only on a
        recorded passing validation run on the sequestered test split, which may be used for
        one final evaluation per candidate family (GMLP principle 4).
    doc7:
      status: effective
      doc_number: SOP-007
      document_type: vulnerability_management_plan
      title: Cybersecurity Vulnerability Management Plan
      owner: ravi
      revision: B
      effective_date: !ago 280
      next_review_due: !ahead 450
      body: >-
        Sources monitored - NVD, OSV, GitHub advisories, CISA KEV, supplier advisories and
        coordinated disclosure (security@acme-medtech.example). Every vulnerability affecting
        an SBOM component receives an initial triage (affected or not affected, with a VEX
        justification) within 30 calendar days of discovery, and within 5 work days when it is
        known to be exploited. For uncontrolled risks customers are informed within 30 days and
        a fix is deployed within 60 days (FD&C Act 524B(b)(2)).
    doc8:
      status: in_review
      doc_number: SOP-008
      title: Supplier Evaluation and Control
      owner: marco
      revision: C
      body: >-
        Suppliers are evaluated before use and re-evaluated at least every 12 months when
        critical and every 24 months otherwise (ISO 13485:2016 7.4.1). Open-source projects are
        evaluated on maintenance activity and security response.
    doc9:
      status: in_review
      doc_number: SOP-009
      title: Training and Competence
      owner: marco
      revision: B
      body: >-
        Each job role lists the documents its members must be trained on; training on a new
        revision is completed before the revision takes effect for that person (ISO 13485:2016
        6.2).
    doc10:
      status: in_review
      doc_number: SOP-010
      title: Management Review
      owner: dana
      revision: C
      body: >-
        Top management reviews the QMS every six months using the inputs of ISO 13485:2016
        5.6.2; actions carry an owner and a due date and are followed up at the next review.
        Management review records are available to FDA under the QMSR.
    doc11:
      status: draft
      doc_number: QM-001
      document_type: policy
      title: Quality Manual
      owner: dana
      revision: H
      body: >-
        Scope - design, development, release and servicing of software as a medical device. The
        QMS conforms to 21 CFR 820 (QMSR) and ISO 13485:2016.
    doc12:
      status: in_review
      by: lena
      doc_number: PLAN-CA-01
      document_type: plan
      title: CytoAssist Predetermined Change Control Plan
      owner: lena
      revision: "1.0"
      body: >-
        Modifications M1 (re-fit on updated SOUP), M2 (decision threshold within 0.35 to 0.55)
        and M3 (feature engineering), each with its modification protocol and acceptance
        criteria identical to VP-CA-003.
    doc13:
      status: in_review
      doc_number: FORM-003
      document_type: form
      title: Complaint intake form
      owner: marco
      revision: E
      training_required: false
    doc14:
      status: draft
      doc_number: WI-014
      document_type: work_instruction
      title: Vulnerability triage with the weekly SCA scan
      owner: ravi
      revision: A
    doc15:
      status: effective
      doc_number: REC-SUP-001
      document_type: report
      training_required: false
      title: Supplier evaluation - Amazon Web Services certification review
      owner: marco
      revision: A
      effective_date: !ago 200
      body: >-
        Reviewed the AWS ISO/IEC 27001 certificate (valid), SOC 2 Type II report (no
        exceptions affecting the services used) and the BAA. Outcome: approved as a critical
        cloud service supplier; re-evaluate annually with the next SOC 2 report.
    doc16:
      status: effective
      doc_number: TM-001
      document_type: threat_model
      training_required: false
      title: CytoAssist threat model
      owner: ravi
      revision: C
      effective_date: !ago 320
      review_period_months: 12
      next_review_due: !ahead 40
      body: >-
        STRIDE analysis of the global system, multi-patient harm, updatability and security
        use-case views (FDA premarket cybersecurity guidance 2026, V.A.2). Assets - specimen
        images, cell-nucleus features, malignancy estimates, LIS credentials, model weights.
        Entry points - the LIS interface, the web viewer, the update channel and the cloud
        console. Each threat is a threat record (THR-n) linked to the security risks it
        poses; the security risk assessment follows ANSI/AAMI SW96:2023 with AAMI TIR57.

  role:
    _: {by: marco, signers: {approved: dana}}
    role1:
      status: approved
      title: Quality Engineer
      department: Quality
      holders: [marco]
      responsibilities: Runs the complaint, CAPA, nonconformance and internal audit processes.
      required_documents: [!ref doc1, !ref doc2, !ref doc3, !ref doc4, !ref doc7]
    role2:
      status: approved
      title: Software Design Engineer
      department: Engineering
      holders: [lena, tomas]
      competence_requirements: Degree in software engineering or equivalent; IEC 62304 training.
      required_documents: [!ref doc1, !ref doc4, !ref doc5, !ref doc6, !ref doc7]
    role3:
      status: approved
      title: Clinical Data Scientist
      department: Engineering
      holders: [mei]
      required_documents: [!ref doc1, !ref doc6, !ref doc12]
    role4:
      status: proposed
      title: Complaint Handling Specialist
      department: Quality
      required_documents: [!ref doc1, !ref doc3]

  training_record:
    _: {by: marco, signers: {verified: dana}, document_version: 1}
    trn1:
      status: recorded
      title: marco trained on SOP-003 rev E
      trainee: marco
      document: !ref doc3
      role: !ref role1
      completed_on: !ago 125
      training_method: instructor_led
      trainer: dana
      effectiveness_check: observation
      effectiveness_result: pass
    trn2: {status: recorded, title: lena trained on SOP-005, trainee: lena, document: !ref doc5,
           role: !ref role2, completed_on: !ago 5, training_method: read_and_understand,
           effectiveness_check: quiz, effectiveness_result: pass}
    trn3: {status: draft, title: aisha trained on SOP-006 rev D, trainee: aisha,
           document: !ref doc6, role: !ref role2, completed_on: !ago 3, training_method: e_learning,
           effectiveness_check: quiz, effectiveness_result: pending}
    trn4: {status: draft, title: mei trained on SOP-006 rev D, trainee: mei, document: !ref doc6,
           role: !ref role3, completed_on: !ago 2, training_method: e_learning,
           effectiveness_check: quiz, effectiveness_result: pending}
    trn5: {status: recorded, title: tomas trained on SOP-004, trainee: tomas, document: !ref doc4,
           role: !ref role2, completed_on: !ago 1, training_method: read_and_understand,
           effectiveness_check: not_required}
    trn6: {status: draft, title: ravi trained on SOP-007 rev B, trainee: ravi, document: !ref doc7,
           completed_on: !ago 4, training_method: read_and_understand,
           effectiveness_check: supervisor_assessment, effectiveness_result: pending}
    trn7: {status: recorded, title: marco trained on SOP-002, trainee: marco, document: !ref doc2,
           role: !ref role1, completed_on: !ago 2, training_method: read_and_understand,
           effectiveness_check: quiz, effectiveness_result: pass}
    trn8: {status: recorded, title: marco trained on SOP-001 rev F, trainee: marco,
           document: !ref doc1, role: !ref role1, completed_on: !ago 60,
           training_method: read_and_understand, effectiveness_check: not_required}
    trn9: {status: recorded, title: marco trained on SOP-004, trainee: marco, document: !ref doc4,
           role: !ref role1, completed_on: !ago 58, training_method: read_and_understand,
           effectiveness_check: not_required}
    trn10: {status: recorded, title: marco trained on SOP-007 rev B, trainee: marco,
            document: !ref doc7, role: !ref role1, completed_on: !ago 250,
            training_method: instructor_led, trainer: ravi, effectiveness_check: quiz,
            effectiveness_result: pass}
    trn11: {status: recorded, title: lena trained on SOP-001 rev F, trainee: lena,
            document: !ref doc1, role: !ref role2, completed_on: !ago 61,
            training_method: read_and_understand, effectiveness_check: not_required}
    trn12: {status: recorded, title: lena trained on SOP-004, trainee: lena, document: !ref doc4,
            role: !ref role2, completed_on: !ago 57, training_method: read_and_understand,
            effectiveness_check: not_required}
    trn13: {status: recorded, title: lena trained on SOP-007 rev B, trainee: lena,
            document: !ref doc7, role: !ref role2, completed_on: !ago 250,
            training_method: instructor_led, trainer: ravi, effectiveness_check: quiz,
            effectiveness_result: pass}
    trn14: {status: recorded, title: tomas trained on SOP-001 rev F, trainee: tomas,
            document: !ref doc1, role: !ref role2, completed_on: !ago 59,
            training_method: read_and_understand, effectiveness_check: not_required}
    trn15: {status: recorded, title: tomas trained on SOP-005, trainee: tomas,
            document: !ref doc5, role: !ref role2, completed_on: !ago 56,
            training_method: read_and_understand, effectiveness_check: quiz,
            effectiveness_result: pass}
    trn16: {status: recorded, title: tomas trained on SOP-007 rev B, trainee: tomas,
            document: !ref doc7, role: !ref role2, completed_on: !ago 250,
            training_method: instructor_led, trainer: ravi, effectiveness_check: quiz,
            effectiveness_result: pass}

  supplier:
    _: {by: marco, signers: {approved: dana}, status: proposed, approval_status: pending}
    sup1:
      status: approved
      approval_status: approved
      title: Amazon Web Services, Inc.
      supplier_type: cloud_service
      criticality: critical
      scope: >-
        Hosting - managed Kubernetes, PostgreSQL, object storage and key management for the
        CytoAssist service (US regions).
      evaluation_method: certification_review
      evaluation_date: !ago 200
      reevaluation_due: !ahead 165
      certifications: ISO/IEC 27001 and SOC 2 Type II reports, reviewed annually
      quality_agreement: AWS Customer Agreement with BAA; service health notifications
    sup2:
      status: approved
      approval_status: approved
      title: Northfield Cytopathology Partners, LLC
      supplier_type: data_provider
      criticality: critical
      scope: >-
        De-identified breast FNA cases with histology for external validation (DS-4) and the
        clinical performance study (VAL-1).
      evaluation_method: audit
      evaluation_date: !ago 430
      reevaluation_due: !ago 65
      quality_agreement: QA-NCP-01 rev A; data use agreement DUA-NCP-2024-02
      contact: Quality lead, Northfield Cytopathology Partners
    sup3:
      status: approved
      approval_status: approved
      title: scikit-learn project
      supplier_type: open_source_project
      criticality: major
      scope: Machine-learning library used to train and run the model (SOUP SWI-7).
      evaluation_method: performance_history
      evaluation_date: !ago 330
      reevaluation_due: !ahead 400
    sup4: {title: NumPy project, supplier_type: open_source_project, criticality: major,
           scope: Numerical arrays underlying the inference pipeline.}
    sup5: {title: Python Cryptographic Authority (pyca), supplier_type: open_source_project,
           criticality: major, scope: Result signatures and TLS helpers (cryptography package).}
    sup6: {title: "F5, Inc. (NGINX open source)", supplier_type: open_source_project,
           criticality: major, scope: Ingress reverse proxy and TLS termination.}
    sup7: {title: PostgreSQL Global Development Group, supplier_type: open_source_project,
           criticality: minor, scope: libpq client library.}
    sup8: {title: Keystone Security Labs, supplier_type: testing_lab, criticality: major,
           scope: Independent penetration testing (TC-7)., evaluation_method: audit,
           evaluation_date: !ago 345}
    sup9: {title: UCI Machine Learning Repository (WDBC dataset), supplier_type: data_provider,
           criticality: major, evaluation_method: not_evaluable,
           scope: Public WDBC data used for training and sequestered testing (DS-1 to DS-3).}
    sup10: {title: Python Software Foundation, supplier_type: open_source_project,
            criticality: major, scope: CPython runtime and the requests package.}
    sup11: {title: Debian project, supplier_type: open_source_project, criticality: major,
            scope: "Base container image packages (libc6, openssl, zlib1g, libpq5)."}
    sup12: {title: Encode OSS, supplier_type: open_source_project, criticality: minor,
            scope: Starlette and Uvicorn web framework components.}

links:
  requires_training: {role1: [doc1, doc2, doc3, doc4, doc7], role2: [doc1, doc4, doc5, doc6, doc7],
                      role3: [doc1, doc6, doc12], role4: [doc1, doc3]}
  trains_on: {trn1: [doc3, role1], trn2: [doc5, role2], trn3: [doc6, role2], trn4: [doc6, role3],
              trn5: [doc4, role2], trn6: [doc7], trn7: [doc2, role1], trn8: [doc1, role1],
              trn9: [doc4, role1], trn10: [doc7, role1], trn11: [doc1, role2],
              trn12: [doc4, role2], trn13: [doc7, role2], trn14: [doc1, role2],
              trn15: [doc5, role2], trn16: [doc7, role2]}
  evidences: {doc15: [sup1]}
"""


def content(days: Days) -> Content:
    return load(TEXT, days)
