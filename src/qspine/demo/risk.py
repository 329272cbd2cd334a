"""Safety risk management (ISO 14971:2019; ISO 13485:2016 7.1): hazards to risk controls."""

from __future__ import annotations

from qspine.demo.spec import Content, Days, load

TEXT = """
records:
  hazard:
    _: {by: tomas, signers: {approved: lena}, identified_by: preliminary_hazard_analysis}
    haz1:
      status: approved
      title: Falsely low malignancy estimate
      hazard_type: information
      description: The device reports a low likelihood for a malignant lesion (false negative).
      safety_characteristic: Accuracy of the calibrated probability and the decision threshold
    haz2:
      status: approved
      title: Falsely elevated malignancy estimate
      hazard_type: information
      description: The device reports an elevated likelihood for a benign lesion (false positive).
    haz3:
      status: approved
      title: Result attributed to the wrong case
      hazard_type: information
      description: A result is displayed or filed against an accession other than its own.
    haz4:
      status: in_review
      title: Estimate unavailable or late
      hazard_type: operational
      description: The cloud service cannot return an estimate within the sign-out window.
    haz5:
      status: approved
      title: Compromised model or result
      hazard_type: cybersecurity
      identified_by: threat_model
      description: >-
        An adversary alters the model, the software or a result so that estimates are
        systematically wrong.
    haz6:
      status: in_review
      title: Over-reliance on the estimate
      hazard_type: use_error
      identified_by: usability_engineering
      description: >-
        The user accepts the estimate without an independent morphological review (automation
        bias).
    haz7:
      status: draft
      title: Feature values changed by upstream image analysis software
      hazard_type: software
      identified_by: post_market
      description: >-
        An upgrade of the laboratory's feature-extraction software changes feature scaling
        while values stay inside the validated range.

  harm:
    _: {by: tomas, signers: {approved: lena}, affected_parties: [patient]}
    harm1:
      status: approved
      title: Delayed diagnosis of breast cancer
      severity: serious
      description: >-
        Malignancy diagnosed weeks to months later than it would have been, with possible
        progression of disease.
      severity_rationale: >-
        Diagnostic delays beyond three months are associated with stage progression; not
        directly life-threatening in the short term.
    harm2:
      status: in_review
      title: Unnecessary additional biopsy
      severity: minor
      description: >-
        Core needle biopsy or excision of a benign lesion, with procedural discomfort and
        anxiety.
    harm3:
      status: approved
      title: Treatment decided on another patient's result
      severity: critical
      description: >-
        Surgery, or treatment withheld, on the basis of a result that belongs to a different
        patient.

  hazardous_situation:
    _: {by: tomas, signers: {approved: lena}}
    hs1:
      status: approved
      title: Malignant lesion scored low and interpretation down-graded
      sequence_of_events: >-
        (1) The model under-estimates a malignant case; (2) the report shows 'Low likelihood';
        (3) the cytopathologist, uncertain on morphology, reports benign; (4) no excision; the
        diagnosis is delayed.
      p1: occasional
      p2: remote
      initial_probability: occasional
      initial_severity: serious
      initial_risk: unacceptable
      residual_probability: remote
      residual_severity: serious
      residual_risk: acceptable
      residual_risk_rationale: >-
        Performance criteria (RC-1), out-of-range withholding (RC-2) and the adjunct statement
        (RC-5); triple-test practice remains in place.
    hs2:
      status: in_review
      title: Benign lesion scored elevated, leading to an additional biopsy
      sequence_of_events: >-
        (1) The model over-estimates a benign case; (2) the report shows 'Elevated'; (3) an
        additional biopsy is ordered.
      initial_probability: probable
      initial_severity: minor
      initial_risk: acceptable
      residual_probability: occasional
      residual_severity: minor
      residual_risk: acceptable
      residual_risk_rationale: Specificity of at least 0.90 (RC-1).
      benefit_risk: The benefit of higher sensitivity outweighs the extra biopsies.
    hs3:
      status: approved
      title: Result displayed against the wrong accession
      sequence_of_events: >-
        (1) Concurrent sessions or a refresh mix up responses; (2) a result is shown under
        another accession; (3) treatment is planned on the wrong result.
      initial_probability: remote
      initial_severity: critical
      initial_risk: unacceptable
      residual_probability: improbable
      residual_severity: critical
      residual_risk: acceptable
      residual_risk_rationale: >-
        End-to-end accession binding and signed results (RC-3), verified with 10,000
        randomised submissions (TC-5).
    hs4:
      status: approved
      title: No estimate available during sign-out
      sequence_of_events: >-
        (1) Service outage; (2) the LIS shows no estimate; (3) the user is unsure whether the
        case was analysed and delays or skips review.
      initial_probability: occasional
      initial_severity: minor
      initial_risk: acceptable
      residual_probability: occasional
      residual_severity: minor
      residual_risk: acceptable
      residual_risk_rationale: >-
        The degraded-mode message (RC-6) makes the absence explicit; sign-out proceeds on
        morphology as it did before the device existed.
    hs5:
      status: approved
      title: Malicious model substitution causes false lows at every site
      sequence_of_events: >-
        (1) An attacker compromises the build pipeline; (2) altered weights are deployed; (3)
        malignant cases are systematically scored low for all customers.
      foreseeable_misuse: false
      initial_probability: remote
      initial_severity: serious
      initial_risk: unacceptable
      residual_probability: improbable
      residual_severity: serious
      residual_risk: acceptable
      residual_risk_rationale: >-
        Signed images and weights-hash pinning (RC-4); multi-patient harm view of the threat
        model.
    hs6:
      status: in_review
      title: Out-of-distribution inputs after a staining or scanner change
      sequence_of_events: >-
        (1) A site changes its staining protocol; (2) texture features shift; (3) estimates
        drift while individual cases stay inside the range check.
      initial_probability: occasional
      initial_severity: serious
      initial_risk: unacceptable
      residual_probability: remote
      residual_severity: serious
      residual_risk: acceptable
      residual_risk_rationale: Per-case range check (RC-2) plus site-level drift monitoring (RC-10).
    hs7:
      status: in_review
      title: Estimate accepted without independent review
      sequence_of_events: >-
        (1) High workload; (2) the user relies on the category alone; (3) a false low is not
        caught.
      foreseeable_misuse: true
      initial_probability: occasional
      initial_severity: serious
      initial_risk: unacceptable
      residual_probability: remote
      residual_severity: serious
      residual_risk: acceptable
      residual_risk_rationale: Adjunct statement (RC-5) and attribution display (RC-9, 2.1).
    hs8:
      status: draft
      title: Denial-of-service attack blocks estimates at many sites
      sequence_of_events: >-
        (1) HTTP/2 rapid-reset flood; (2) the ingress is exhausted; (3) no estimates for any
        customer during the attack.
      initial_probability: occasional
      initial_severity: minor
      initial_risk: acceptable
    hs9:
      status: draft
      title: Rescaled features after an image analysis software upgrade
      sequence_of_events: >-
        (1) The laboratory upgrades its feature-extraction software; (2) area and perimeter are
        reported in a new unit scale; (3) estimates shift for every case at that site.
      initial_probability: remote
      initial_severity: serious

  risk_control:
    _: {by: tomas, signers: {approved: lena}}
    rc1:
      status: approved
      title: Pre-specified performance criteria for model release
      control_type: inherent_safety_by_design
      description: >-
        A model version is released only if it meets the sensitivity and specificity criteria
        of REQ-3 on the sequestered test split.
      implementation: REQ-3; SOP-006 model release gate
      implementation_verification: TC-3 runs the release gate on the sequestered split.
      effectiveness_verification: TC-3 and VR-1; clinical performance study VAL-1.
    rc2:
      status: approved
      title: Out-of-range input detection and result withholding
      control_type: protective_measure
      description: >-
        Features outside the training range withhold the category and show a warning instead
        of a number.
      implementation: REQ-4; software item SWI-2
      implementation_verification: TC-4 (all 30 features).
      effectiveness_verification: >-
        TC-4 shows no out-of-range case receives a category; no complaint of a number shown
        for an out-of-range case since release.
      new_risks_introduced: More cases without an estimate; acceptable (HS-4).
    rc3:
      status: approved
      title: End-to-end accession binding with signed results
      control_type: inherent_safety_by_design
      security_control_category: integrity
      description: >-
        Identifiers travel inside the signed result; the renderer refuses any mismatch or
        invalid signature.
      implementation: REQ-5 and REQ-9; SWI-2, SWI-3, SWI-4
      implementation_verification: TC-5 (identifier round trip through the LIS).
      effectiveness_verification: TC-5 mismatch and tampered-signature injection are refused.
    rc4:
      status: approved
      by: ravi
      signers: {approved: tomas}
      title: Signed images and model weights hash pinning
      control_type: protective_measure
      security_control_category: integrity
      description: >-
        Only images signed with the Acme release key are admitted; the inference service
        refuses weights whose hash differs from the release manifest.
      implementation: REQ-12 and REQ-13; admission controller policy
      implementation_verification: TC-8 (unsigned image and altered weights refused).
      effectiveness_verification: TC-8 and the Keystone Security Labs penetration test.
    rc5:
      status: approved
      title: Adjunctive-use statement and limitations
      control_type: information_for_safety
      description: >-
        Every report and the IFU state that CytoAssist is an adjunct and that the diagnosis
        rests with the cytopathologist, with the validated population and known limitations.
      option_rationale: >-
        False results cannot be eliminated by design or protective measures alone; the residual
        risk is disclosed (ISO 14971:2019 8).
      implementation: REQ-11; IFU section 5
      implementation_verification: TC-9 (labeling inspection of reports and IFU).
      effectiveness_verification: Summative usability study VAL-2 (users read the statement).
    rc6:
      status: approved
      title: Degraded-mode message when no estimate is available
      control_type: protective_measure
      description: >-
        When the service is unavailable, the LIS integration and the viewer state that no
        estimate exists and that sign-out proceeds without it.
      implementation: REQ-14; SWI-1
    rc7:
      status: in_review
      by: ravi
      signers: {approved: tomas}
      title: Multi-factor and mutual-TLS authentication
      control_type: protective_measure
      security_control_category: authentication
      description: MFA through the laboratory identity provider; certificate-bound LIS clients.
      implementation: REQ-7; SWI-5
    rc8:
      status: in_review
      by: ravi
      title: HTTP/2 ingress hardening
      control_type: protective_measure
      security_control_category: resiliency_and_recovery
      description: >-
        Limits on concurrent streams and stream resets per connection; nginx 1.26 with the
        rapid-reset mitigations.
      implementation: REQ-18
    rc9:
      status: draft
      title: Feature attribution display
      control_type: information_for_safety
      description: Shows the features driving each estimate, to support independent review.
      implementation: REQ-15; SWI-8
    rc10:
      status: in_review
      title: Site-level drift monitoring
      control_type: protective_measure
      description: >-
        Monthly population stability index per site and feature, with alerts to the
        post-market team.
      implementation: REQ-17
    rc11:
      status: draft
      title: Feature-extraction software allow-list
      control_type: protective_measure
      description: Cases from unvalidated extraction software versions are rejected.
      implementation: REQ-19; SWI-9

links:
  causes: {haz1: [hs1, hs6], haz2: [hs2], haz3: [hs3], haz4: [hs4, hs8], haz5: [hs5],
           haz6: [hs7], haz7: [hs9]}
  leads_to: {hs1: [harm1], hs2: [harm2], hs3: [harm3, harm1], hs4: [harm1], hs5: [harm1],
             hs6: [harm1], hs7: [harm1], hs8: [harm1], hs9: [harm1]}
  mitigates: {rc1: [hs1, hs2], rc2: [hs1, hs6], rc3: [hs3, sr3], rc4: [hs5, sr2],
              rc5: [hs1, hs2, hs7], rc6: [hs4], rc7: [sr1], rc8: [sr4, hs8], rc9: [hs7],
              rc10: [hs6], rc11: [hs9]}
  specified_by: {rc1: [req3], rc2: [req4], rc3: [req5, req9], rc4: [req12, req13],
                 rc5: [req11], rc6: [req14], rc7: [req7], rc8: [req18], rc9: [req15],
                 rc10: [req17], rc11: [req19]}
"""


def content(days: Days) -> Content:
    return load(TEXT, days)
