"""Design verification and validation (ISO 13485:2016 7.3.6, 7.3.7; IEC 62304 5.7).

Approved test cases of the 2.0 baseline have recorded passing results; 2.1 runs are drafts.
"""

from __future__ import annotations

from qspine.demo.spec import Content, Days, load

TEXT = """
records:
  test_case:
    _: {by: aisha, signers: {approved: lena}, method: test, test_level: system}
    tc1:
      status: approved
      title: Probability output for the verification feature set
      procedure: Submit the 120 verification cases through the LIS API and record the probability.
      acceptance_criteria: Every case returns a probability in [0, 1]; calibration slope 0.9-1.1.
      test_type: functional
      automated: true
      automation_reference: tests/system/test_inference.py::test_probability_range
    tc2:
      status: approved
      title: Decision threshold boundary
      procedure: Submit synthetic cases whose calibrated probability is 0.49, 0.50 and 0.51.
      acceptance_criteria: 0.49 gives 'Low likelihood'; 0.50 and 0.51 give 'Elevated likelihood'.
      test_type: functional
      automated: true
      automation_reference: tests/system/test_inference.py::test_threshold_boundary
    tc3:
      status: approved
      title: Standalone performance on the sequestered test split
      method: analysis
      procedure: Run the frozen evaluation pipeline on DS-3 and compare with REQ-3.
      acceptance_criteria: >-
        Sensitivity at least 0.93, specificity at least 0.90, lower 95% bounds at least 0.85.
      test_type: performance
      sample_size: 171
      sample_size_rationale: >-
        Whole sequestered split; 64 malignant cases give a Wilson lower bound above 0.85 at
        the target sensitivity.
    tc4:
      status: approved
      title: Missing and out-of-range feature handling
      procedure: >-
        For each of the 30 features submit cases with the value missing and at the 0.4th, 50th
        and 99.6th training percentile.
      acceptance_criteria: >-
        Missing values rejected; out-of-range values withhold the category and show the
        warning; in-range values unaffected.
      test_type: robustness
      automated: true
      automation_reference: tests/system/test_intake.py::test_input_ranges
    tc5:
      status: approved
      title: Accession binding and result signature verification
      procedure: >-
        Submit 10,000 randomised cases over concurrent sessions, refresh the viewer during
        delivery, and tamper with 100 signed results in transit.
      acceptance_criteria: Zero mismatched identifiers; every tampered result refused.
      test_type: robustness
      automated: true
      automation_reference: tests/system/test_binding.py
    tc6:
      status: approved
      title: Latency and throughput under load
      procedure: Load test at 20 concurrent clients for 30 minutes (k6 script perf/20c.js).
      acceptance_criteria: p95 latency of 10 s or less; no errors.
      test_type: performance
      automated: true
    tc7:
      status: approved
      by: ravi
      signers: {approved: dana}
      title: Penetration test of the internet-facing service
      procedure: >-
        Independent grey-box penetration test of the API, web viewer and identity gateway (OWASP
        ASVS 4.0 level 2 scope), 10 tester-days.
      acceptance_criteria: No critical or high findings open; medium findings risk-assessed.
      test_type: penetration
    tc8:
      status: approved
      by: ravi
      signers: {approved: dana}
      title: Deployment integrity - image signatures and weights hash
      procedure: >-
        Attempt to deploy an unsigned image, an image signed with a test key, and a correctly
        signed image carrying altered model weights.
      acceptance_criteria: >-
        Unsigned and wrongly signed images refused at admission; altered weights stop the
        inference service at start-up.
      test_type: robustness
    tc9:
      status: approved
      title: Report content inspection
      method: inspection
      procedure: Inspect PDF and web reports for 20 cases covering both categories and the warning.
      acceptance_criteria: All elements of REQ-11 present and legible.
      test_type: functional
    tc10:
      status: draft
      title: Feature attribution display
      procedure: Compare the five displayed attributions with reference TreeSHAP values.
      acceptance_criteria: Same features and signs as the reference for every case.
      test_type: functional
    tc11:
      status: in_review
      title: Drift alert on shifted site data
      procedure: Replay a synthetic month of data with texture features shifted by +1.5 SD.
      acceptance_criteria: Alert raised within one monitoring cycle.
      test_type: functional
    tc12:
      status: in_review
      by: ravi
      title: HTTP/2 rapid-reset resilience
      procedure: Run an HTTP/2 rapid-reset flood (h2load-based harness) against staging ingress.
      acceptance_criteria: p95 latency for legitimate clients stays at 10 s or less; no restarts.
      test_type: robustness
    tc13:
      status: in_review
      by: ravi
      title: SBOM completeness against the build
      method: inspection
      procedure: Generate the CycloneDX SBOM and compare it with the image's installed packages.
      acceptance_criteria: Every installed package listed with version, supplier and support level.
      test_type: software_composition_analysis
    tc14:
      status: in_review
      by: ravi
      title: Fuzzing of the case submission API
      procedure: Schema-aware fuzzing of POST /v2/cases for 24 hours (Schemathesis).
      acceptance_criteria: No 5xx other than documented 503 back-pressure; no cross-tenant data.
      test_type: fuzzing
      automated: true
    tc15:
      status: draft
      title: Feature-extraction software allow-list
      procedure: Submit cases tagged with listed and unlisted extraction software versions.
      acceptance_criteria: Listed versions accepted; unlisted versions rejected with the message.
      test_type: functional
    tc16:
      status: draft
      by: ravi
      title: Security log export
      procedure: Export one laboratory's log for a day with known events from two laboratories.
      acceptance_criteria: The export holds exactly the first laboratory's events.
      test_type: functional

  test_result:
    _:
      by: aisha
      signers: {verified: marco}
      item_version: 2.0.0 (build 2.0.0+412)
      environment: Staging cluster stg-eu1, 3 x c6i.xlarge, PostgreSQL 15.6
      executed_by: aisha
    tr1: {status: recorded, title: TC-1 on 2.0.0, outcome: pass, executed_on: !stamp [320, 9],
          executed_by: ci (pipeline 8841),
          actual_results: "120/120 probabilities in [0, 1]; calibration slope 0.97."}
    tr2: {status: recorded, title: TC-2 on 2.0.0, outcome: pass, executed_on: !stamp [320, 9],
          executed_by: ci (pipeline 8841),
          actual_results: p=0.49 Low. p=0.50 Elevated. p=0.51 Elevated.}
    tr3:
      status: recorded
      title: TC-3 on 2.0.0 (model 1.0.0)
      outcome: pass
      executed_on: !stamp [318, 11]
      actual_results: >-
        Sensitivity 0.953 (61/64), specificity 0.972 (104/107); lower 95% bounds 0.870 and
        0.921. Evaluation record VR-1.
    tr4: {status: recorded, title: TC-4 on 2.0.0, outcome: pass, executed_on: !stamp [320, 10],
          executed_by: ci (pipeline 8841), actual_results: All 120 range cases as specified.}
    tr5:
      status: recorded
      title: TC-5 on 2.0.0
      outcome: pass
      executed_on: !stamp [316, 13]
      actual_results: 0/10,000 mismatched identifiers; 100/100 tampered results refused.
    tr6:
      status: recorded
      title: TC-6 on 2.0.0
      outcome: pass
      executed_on: !stamp [315, 16]
      actual_results: p95 4.8 s, p99 7.1 s, 0 errors in 36,412 requests.
    tr7:
      status: recorded
      signers: {verified: ravi}
      title: TC-7 penetration test of 2.0.0 (Keystone Security Labs)
      outcome: pass
      executed_on: !stamp [330, 17]
      executed_by: Keystone Security Labs (independent tester)
      actual_results: >-
        0 critical, 0 high, 2 medium findings (verbose error page; no rate limit on password
        reset), both risk-assessed and fixed before release.
      anomalies: Report KSL-2025-117, findings M-1 and M-2 closed in build 2.0.0+398.
    tr8:
      status: recorded
      title: TC-8 on 2.0.0
      outcome: pass
      executed_on: !stamp [314, 15]
      executed_by: ravi
      actual_results: >-
        Unsigned and test-key images refused by the admission controller; with altered weights
        the inference service exits with 'model hash mismatch'.
    tr9: {status: recorded, title: TC-9 on 2.0.0, outcome: pass, executed_on: !stamp [313, 10],
          actual_results: 20/20 reports complete and legible.}
    tr10: {status: draft, title: TC-4 on 2.1.0-rc1, outcome: pass, executed_on: !stamp [9, 10],
           item_version: 2.1.0-rc1 (build 2.1.0-rc1+57), executed_by: ci (pipeline 10217),
           actual_results: All 120 range cases as specified.}
    tr11:
      status: draft
      title: TC-12 on 2.1.0-rc1
      outcome: fail
      executed_on: !stamp [8, 15]
      item_version: 2.1.0-rc1 (build 2.1.0-rc1+57)
      actual_results: p95 latency 31 s during the flood; two ingress pods restarted.
      anomalies: >-
        Problem report PR-233 - max_concurrent_streams not applied to the staging ingress
        profile.
    tr12:
      status: draft
      title: TC-2 on 2.1.0-rc1
      outcome: fail
      executed_on: !stamp [8, 10]
      item_version: 2.1.0-rc1 (build 2.1.0-rc1+57)
      executed_by: ci (pipeline 10217)
      actual_results: p=0.45 returned 'Elevated'; the protocol expects 'Low'.
      anomalies: >-
        Protocol TC-2 still specifies the 0.50 threshold of REQ-2 v1; the 2.1 threshold is 0.42
        (CR-2). Protocol update needed.
    tr13: {status: draft, title: TC-1 on 2.1.0-rc1, outcome: pass, executed_on: !stamp [9, 9],
           item_version: 2.1.0-rc1 (build 2.1.0-rc1+57), executed_by: ci (pipeline 10217),
           actual_results: "120/120 probabilities in [0, 1]; calibration slope 1.02."}
    tr14: {status: draft, title: TC-5 on 2.1.0-rc1, outcome: pass, executed_on: !stamp [7, 13],
           item_version: 2.1.0-rc1 (build 2.1.0-rc1+57),
           actual_results: "0/10,000 mismatched identifiers; 100/100 tampered results refused."}
    tr15: {status: draft, title: TC-6 on 2.1.0-rc1, outcome: blocked, executed_on: !stamp [7, 16],
           item_version: 2.1.0-rc1 (build 2.1.0-rc1+57),
           actual_results: Not run to completion - blocked by PR-233 on the staging ingress.}
    tr16: {status: draft, title: TC-9 on 2.1.0-rc1, outcome: pass, executed_on: !stamp [6, 10],
           item_version: 2.1.0-rc1 (build 2.1.0-rc1+57),
           actual_results: 20/20 reports complete; model version shows 1.1.0.}

  validation:
    _: {by: aisha, signers: {verified: marco}}
    val1:
      status: recorded
      title: Clinical performance study, CytoAssist 2.0
      validation_type: clinical_performance_study
      product_configuration: 2.0.0 with model 1.0.0 on a production-equivalent cluster
      protocol: VP-CA-004 rev B
      sites_and_participants: >-
        Northfield Cytopathology Partners and one academic centre; three board-certified
        cytopathologists established the reference diagnoses with histology.
      sample_size: 412
      sample_size_rationale: Powered for a sensitivity lower 95% bound of 0.85 (150 malignant).
      acceptance_criteria: >-
        Standalone sensitivity at least 0.90 and specificity at least 0.85 against histology;
        out-of-range warning on all low-cellularity cases.
      results: >-
        Sensitivity 0.947 (142/150), specificity 0.912 (239/262); 17 cases flagged out of
        range, all with low cellularity.
      outcome: pass
      completed_on: !ago 305
    val2:
      status: recorded
      title: Software validation in simulated clinical use, CytoAssist 2.0
      validation_type: software_validation
      product_configuration: 2.0.0 with the LIS simulator and both identity providers
      protocol: VP-CA-005 rev A
      sites_and_participants: Acme usability lab; 6 cytotechnologists and 4 cytopathologists
      sample_size: 10
      acceptance_criteria: >-
        All critical tasks completed without a use error affecting patient identity or result
        interpretation.
      results: >-
        All critical tasks completed; one non-critical difficulty (PDF download location)
        addressed in the IFU.
      outcome: pass
      completed_on: !ago 308
    val3:
      status: draft
      title: Summative usability evaluation of the feature attribution display (2.1)
      validation_type: summative_usability
      product_configuration: 2.1.0-rc1 (build 2.1.0-rc1+57)
      protocol: VP-CA-009 rev A
      sites_and_participants: 15 cytopathologists at 3 customer sites
      sample_size: 15
      results: 15/15 sessions complete; no critical use errors; report in preparation.
      outcome: pass

links:
  verifies: {tc1: [req1, swi3], tc2: [req2], tc3: [req3, rc1], tc4: [req4, rc2],
             tc5: [req5, req9, rc3, sr3], tc6: [req6, req14], tc7: [req7, req8, rc7, sr1],
             tc8: [req12, req13, rc4, sr2], tc9: [req11, rc5], tc10: [req15],
             tc11: [req17, rc10], tc12: [req18, rc8, sr4], tc13: [req16], tc14: [sr5],
             tc15: [req19, rc11], tc16: [req20]}
  result_of: {tr1: [tc1], tr2: [tc2], tr3: [tc3], tr4: [tc4], tr5: [tc5], tr6: [tc6],
              tr7: [tc7], tr8: [tc8], tr9: [tc9], tr10: [tc4], tr11: [tc12], tr12: [tc2],
              tr13: [tc1], tr14: [tc5], tr15: [tc6], tr16: [tc9]}
  validates: {val1: [un1, un3], val2: [un2, un4, un5, un6], val3: [un7, un6]}
"""


def content(days: Days) -> Content:
    return load(TEXT, days)
