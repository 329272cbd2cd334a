"""Quality events (ISO 13485:2016 8; 21 CFR 803, 820.35): complaints to management review.

Story: NC-1 in pre-release validation led to CAPA-1 and CR-1 (range check) before 2.0
shipped; in the field, CMP-5 (reportable) and the PMS-1 sensitivity drift led to CAPA-3 and
CR-2 (threshold 0.42 in 2.1). MR-2 followed up MR-1 and raised actions, one now overdue.
"""

from __future__ import annotations

from qspine.demo.spec import Content, Days, load

TEXT = """
records:
  complaint:
    _: {by: marco, device_name: CytoAssist, investigation_required: true}
    cmp1:
      status: closed
      title: Low-likelihood estimate on a case later diagnosed as carcinoma
      awareness_date: !ago 150
      received_date: !ago 150
      event_date: !ago 160
      device_identifier: (01)00860012345601(10)2.0.0
      complainant: Dr. A. Novak, Riverside University Hospital
      complainant_contact: Department of Pathology, Riverside University Hospital
      description: >-
        A 'Low likelihood' estimate (p = 0.31) on a breast FNA that the cytopathologist
        interpreted as atypical; core biopsy nine days later showed invasive ductal carcinoma.
      event_type: no_adverse_event
      mdr_reportable: "no"
      mdr_clock: 30_calendar_days
      mdr_decided_on: !ago 141
      mdr_decision_rationale: >-
        The cytopathologist reported 'atypical' and recommended biopsy, performed within nine
        days per standard practice. No delay in diagnosis or serious injury occurred, and the
        estimate is within the labelled false-negative rate. Decided by D. Whitfield (QA/RA).
      investigation_summary: >-
        All features inside the training range; the output was reproduced exactly from the
        logged inputs. Known residual false-negative rate (4.7% on DS-3). Added to the
        sensitivity trend (PMS-1).
      correction_removal: none
      reply_to_complainant: Letter with the investigation summary sent by the complaint unit.
    cmp2:
      status: closed
      title: Intermittent timeouts when submitting cases at peak hours
      awareness_date: !ago 230
      received_date: !ago 229
      complainant: LIS administrator, Mercy Valley Health
      description: >-
        The LIS integration at two sites received HTTP 504 for about 2% of submissions between
        08:00 and 09:00 local time.
      event_type: malfunction
      failure_mode: submission timeout
      mdr_reportable: "no"
      mdr_decided_on: !ago 226
      mdr_decision_rationale: >-
        A timeout produces the degraded-mode message (RC-6) and sign-out proceeds on
        morphology; a recurrence could not cause or contribute to death or serious injury.
      investigation_summary: >-
        The nginx upstream keepalive pool was exhausted by the morning batch; configuration
        corrected (keepalive 64).
      correction_or_corrective_action: Ingress configuration change deployed.
      correction_removal: none
    cmp3:
      status: investigating
      title: Estimate displayed under the previous accession after a browser refresh
      awareness_date: !ago 45
      received_date: !ago 45
      complainant: Lakeside Regional Medical Center, cytopathology
      description: >-
        A cytotechnologist reports that after refreshing the web viewer during delivery, the
        estimate of the previous case appeared under the next accession for a few seconds
        before correcting itself.
      event_type: unknown
      mdr_reportable: undetermined
      investigation_summary: >-
        Reproduction attempts on 2.0.0 under way; viewer cache behaviour suspected (SWI-4).
    cmp4:
      status: open
      title: Users unable to sign in after an identity provider certificate rotation
      awareness_date: !ago 5
      description: >-
        All users of one laboratory received 'invalid SAML response' after the laboratory
        rotated its identity provider signing certificate.
      event_type: no_adverse_event
      mdr_reportable: "no"
      mdr_decision_rationale: >-
        Sign-in failure leaves the device unavailable and the degraded mode applies; no injury
        is possible.
    cmp5:
      status: investigating
      title: Delayed diagnosis after a low-likelihood estimate
      awareness_date: !ago 80
      received_date: !ago 79
      complainant: Risk manager, Lakeside Regional Medical Center
      description: >-
        A breast FNA was estimated 'Low likelihood' (p = 0.44) and reported benign; the
        palpable mass persisted and excision four months later showed carcinoma with nodal
        involvement.
      event_type: serious_injury
      mdr_reportable: "yes"
      mdr_clock: 30_calendar_days
      mdr_report_number: !fmt "3017654321-{year:55}-00001"
      mdr_submitted_on: !ago 55
      mdr_decision_rationale: >-
        The device may have contributed to a delayed diagnosis with disease progression
        (serious injury, 21 CFR 803.3).
      confidential: true
    cmp6:
      status: open
      title: PDF report footer truncates long specimen identifiers
      awareness_date: !ago 12
      description: >-
        Specimen identifiers longer than 40 characters are cut off in the PDF footer (known
        anomaly PR-187).
      event_type: no_adverse_event
      mdr_reportable: "no"
      mdr_decision_rationale: The full identifier is printed in the header; no injury possible.
      investigation_required: false
      no_investigation_justification: Known anomaly PR-187, already evaluated at 2.0 release.

  capa:
    _: {by: marco}
    capa1:
      status: closed
      also_signs: {effectiveness_verified: dana}
      title: Unstable estimates on low-cellularity specimens
      capa_type: corrective
      source_type: nonconformance
      owner: lena
      problem_statement: >-
        NC-1 - 7 of 412 external validation cases with low cellularity gave estimates that
        changed by more than 0.2 between repeat feature extractions.
      root_cause_method: five_whys
      root_cause: >-
        Range-check limits were derived from the whole source dataset instead of the training
        split, so sparse-nucleus cases passed the check.
      action_plan: >-
        CR-1 - derive the limits from DS-2 at the 0.5th and 99.5th percentile and withhold
        the category out of range.
      risk_impact: risk_control_changed
      adverse_effect_assessment: More cases without an estimate; acceptable (HS-4).
      effectiveness_criteria: >-
        All low-cellularity cases in VAL-1 flagged; no out-of-range-related complaints for six
        months.
      effectiveness_due: !ago 130
      effectiveness_result: VAL-1 flagged 17 of 17; no related complaints in six months.
      effectiveness_outcome: effective
    capa2:
      status: investigating
      title: Training records missing for SOP-006
      capa_type: corrective
      source_type: audit_finding
      owner: marco
      problem_statement: >-
        FND-1 - two engineers worked on the 2.0 release without a training record for SOP-006
        rev C.
      root_cause_method: five_whys
      root_cause: The onboarding checklist did not include SOP-006.
      action_plan: Checklist updated; both engineers trained.
      risk_impact: none
      effectiveness_criteria: No missing training records in the next audit sample.
      effectiveness_due: !ago 40
      effectiveness_result: Sample of 10 engineers - all records present.
      effectiveness_outcome: effective
    capa3:
      status: investigating
      title: Sensitivity below target in production
      capa_type: corrective
      source_type: post_market_signal
      owner: mei
      problem_statement: >-
        PMS-1 - rolling 90-day sensitivity 0.89 (alert 0.90, validated 0.953); CMP-5 is a
        reportable delayed diagnosis at p = 0.44.
      containment: Customer letter reminding users that CytoAssist is an adjunct (RC-5).
      root_cause_method: fishbone
      root_cause: >-
        Under investigation - the production case mix has more small lesions than WDBC, and the
        operating point was chosen at WDBC prevalence.
      action_plan: CR-2 (threshold 0.42 under PCCP-CA-01 M2); retrospective case review (ACT-4).
      risk_impact: risk_file_updated
      effectiveness_criteria: Rolling sensitivity of at least 0.93 for two quarters after 2.1.
      effectiveness_due: !ahead 200
      effectiveness_outcome: pending
    capa4:
      status: open
      title: Site-level drift after staining changes
      capa_type: preventive
      source_type: post_market_signal
      owner: mei
      problem_statement: >-
        PMS-2 - texture features shifted at one site after a stain change; no case out of
        range yet.

  nonconformance:
    _: {by: marco, delivered: false}
    nc1:
      status: closed
      title: Unstable estimates on low-cellularity specimens in external validation
      detected_on: !ago 340
      detected_at: in_process
      product_identifier: Model 1.0.0-rc2
      description: >-
        7 of 412 cases changed by more than 0.2 between repeat extractions (acceptance 0.05).
      evaluation: Not delivered; release blocked.
      disposition: rework
      disposition_rationale: Range check corrected (CR-1) and validation repeated.
      capa_required: true
    nc2:
      status: pending_closure
      title: Release candidate image built without a signature
      detected_on: !ago 305
      detected_at: software_build
      product_identifier: 2.0.0-rc3
      description: >-
        Image 2.0.0-rc3 was pushed without a cosign signature; the admission controller blocked
        the staging deployment.
      evaluation: >-
        Not delivered: the admission controller refused the unsigned image in staging. The
        signing step was skipped by a manual re-run of the pipeline; no other image is unsigned.
      disposition: rework
      disposition_rationale: Rebuilt and signed as 2.0.0-rc4.
      capa_required: false
    nc3:
      status: investigating
      title: Sequestered test split used for three evaluations
      detected_on: !ago 12
      detected_at: audit
      product_identifier: DS-3; models 1.0.0, 1.1.0-c1 and 1.1.0
      description: >-
        SOP-006 rev D allows one final evaluation per candidate family on DS-3; VR-1, VR-2 and
        VR-3 all used it, risking overfitting to the test set (GMLP principle 4).
      capa_required: true

  change_request:
    _: {by: lena, affected_products: CytoAssist 2.x, priority: normal}
    cr1:
      status: closed
      early: true
      title: Derive input range limits from the training split
      change_type: software
      description: >-
        Range limits at the 0.5th and 99.5th percentile of DS-2; withhold the category out of
        range (REQ-4, RC-2, SWI-2).
      justification: Root cause of CAPA-1.
      priority: high
      regulatory_pathway: letter_to_file
      regulatory_rationale: Pre-market change made before the first release of 2.0.
      implemented_on: !ago 325
      reverification_justification: >-
        TC-4 was run on the corrected build during VAL-1, before the risk-file entry RC-2 was
        re-approved; its result stands for the change.
    cr2:
      status: investigating
      title: Decision threshold 0.50 to 0.42 and SOUP re-fit
      change_type: model_update
      description: >-
        Lower the operating point to 0.42 (REQ-2 v2) and re-fit the model on DS-2 with
        scikit-learn 1.5.0 (model 1.1.0).
      justification: Restore sensitivity of at least 0.93 (CAPA-3).
      priority: high
      regulatory_pathway: within_authorized_pccp
      pccp_modification_id: M1, M2
      regulatory_rationale: >-
        A threshold within the 0.35 to 0.55 band and a re-fit on unchanged data are authorised
        modifications of PCCP-CA-01.
      verification_plan: VR-3 on DS-3; VR-4 on DS-4; TC-2 regression with the new threshold.
    cr3:
      status: investigating
      title: Upgrade the ingress to nginx 1.26.1 with HTTP/2 limits
      change_type: security_patch
      description: >-
        Replace nginx 1.24.0 with 1.26.1 and set concurrent-stream and reset limits (REQ-18,
        RC-8).
      justification: CVE-2023-44487 (VULN-1), a known exploited vulnerability.
      priority: high
      regulatory_pathway: letter_to_file
      regulatory_rationale: Cybersecurity patch with no change to intended use or performance.
    cr4:
      status: investigating
      by: marco
      title: SOP-003 rev E - QMSR complaint record elements
      change_type: document
      description: Add the 21 CFR 820.35(a) record elements and the MDR decision deadline.
      justification: The QMSR took effect on 2 February 2026.
      regulatory_pathway: not_applicable
      implemented_on: !ago 120
    cr5:
      status: open
      by: marco
      title: Qualify a second external validation data supplier
      change_type: supplier
      description: Evaluate and approve a second provider of histology-confirmed FNA cases.
      justification: Single source for external validation data (MR-2 decision).
    cr6:
      status: open
      title: Allow-list of feature-extraction software versions
      change_type: design
      description: Reject cases from unvalidated extraction software (REQ-19, RC-11, SWI-9).
      justification: HS-9 identified from field feedback.

  post_market_signal:
    _: {by: mei}
    pms1:
      status: investigating
      title: Rolling sensitivity below the alert threshold
      signal_type: performance_drift
      source: Monthly performance monitoring against returned final diagnoses
      observed_on: !ago 95
      metric: Rolling 90-day sensitivity, all sites
      value: 0.89
      threshold: 0.90
      baseline_value: 0.953
      description: 314 malignant cases with a final diagnosis; 35 estimated low.
      assessment: Exceeds the alert threshold; see CAPA-3 and CMP-1.
    pms2:
      status: open
      title: Texture feature shift after a staining change at one site
      signal_type: data_drift
      source: Site drift dashboard
      observed_on: !ago 3
      metric: Population stability index, mean texture
      value: 0.27
      threshold: 0.2
      baseline_value: 0.04
    pms3:
      status: pending_closure
      title: Semi-annual literature and MAUDE review
      signal_type: literature
      source: PubMed and MAUDE searches per the PMS plan
      observed_on: !ago 160
      assessment: No new hazards; no events reported for similar devices.
    pms4:
      status: open
      title: Sign-in complaints after identity provider changes
      signal_type: complaint_trend
      source: Complaint trending (CMP-4 and two service tickets)
      observed_on: !ago 4
      metric: Sign-in complaints per 30 days
      value: 3
      threshold: 2

links:
  investigated_by: {cmp5: [capa3]}
  concerns: {cmp1: [rel1, mv1], cmp2: [rel1, sbom3], cmp3: [rel1, swi4], cmp4: [rel1],
             cmp5: [rel1, mv1], cmp6: [rel1, swi4], nc1: [mv1], nc2: [rel1], nc3: [mv2]}
  addresses: {capa1: [nc1], capa2: [fnd1], capa3: [cmp5, pms1], capa4: [pms2]}
  assesses_risk: {capa1: [haz1, hs1, rc2], capa3: [haz1, hs1, rc1, harm1], capa4: [hs6]}
  originates_from: {cr1: [capa1, nc1], cr2: [capa3, pms1], cr3: [vuln1]}
  changes: {cr1: [req4, rc2, swi2], cr2: [req2, mv2], cr3: [req18, rc8, rel2], cr4: [doc3]}
  reports_on: {pms1: [mv1], pms2: [mv1, rel1], pms3: [rel1], pms4: [rel1]}
"""


def content(days: Days) -> Content:
    return load(TEXT, days)
