"""Design inputs (ISO 13485:2016 7.3.3; IEC 62304 5.2): user needs and requirements.

REQ-2 is revised after approval (threshold 0.50 -> 0.42, CR-2) while TC-2 still tests 0.50:
its verifies link stays stamped with v1 and turns suspect (deliberate gap 7).
"""

from __future__ import annotations

from qspine.demo.spec import Content, Days, load

TEXT = """
records:
  user_need:
    _: {by: lena, signers: {approved: dana},
        user_group: Cytopathologists and cytotechnologists in hospital and reference laboratories}
    un1:
      status: approved
      title: Objective malignancy estimate for breast FNA
      statement: >-
        As a cytopathologist reviewing a breast fine-needle aspirate, I need an objective
        estimate of how likely the lesion is malignant, computed from the cell nuclei, to
        support (not replace) my interpretation.
      use_environment: Cytopathology sign-out, hospital laboratory
      source: intended_use
      priority: essential
      rationale: >-
        Intended use of CytoAssist; inter-observer variability in breast FNA interpretation is
        the clinical problem the device addresses.
    un2:
      status: approved
      title: Result unmistakably tied to the right case
      statement: >-
        I need to be certain that every estimate I see belongs to the accession and specimen I
        am signing out.
      source: clinical_input
      priority: essential
      rationale: Wrong-patient results are a known failure mode of networked laboratory software.
    un3:
      status: approved
      title: Know when the estimate is not reliable
      statement: >-
        I need the device to tell me when a case is outside what it was validated for, instead
        of giving me a number I cannot trust.
      source: clinical_input
      priority: essential
    un4:
      status: in_review
      title: Result within the sign-out workflow
      statement: >-
        I need the estimate within seconds of submitting the case, so that it does not delay
        sign-out.
      use_environment: LIS integration, 50 to 300 cases a day
      source: customer_research
      priority: important
    un5:
      status: approved
      title: Patient data and results protected
      statement: >-
        As the laboratory's privacy and IT security officer, I need patient data and results
        protected from disclosure and tampering in the cloud service.
      user_group: Laboratory IT security and privacy officers
      source: regulatory
      priority: essential
      rationale: HIPAA Security Rule; FD&C Act 524B (CytoAssist is a cyber device).
    un6:
      status: approved
      title: Report fit for the clinical record
      statement: >-
        I need a report that states the intended use, the model version and the limitations, so
        that the result can be filed in the patient record.
      source: regulatory
      priority: important
    un7:
      status: draft
      title: See which features drove the estimate
      statement: >-
        I would like to see which nuclear features contributed most to an estimate so that I
        can compare it with what I see under the microscope.
      source: customer_research
      priority: desirable
      rationale: >-
        Requested by 9 of 12 sites in the 2.0 customer survey; also a control against
        automation bias (HS-7).
    un8:
      status: in_review
      title: Know which image analysis systems are supported
      statement: >-
        As a laboratory director, I need to know which image analysis software versions produce
        features CytoAssist accepts, so that upgrades do not silently change results.
      user_group: Laboratory directors
      source: post_market
      priority: important

  requirement:
    _: {by: lena, priority: must, verification_method: test}
    req1:
      status: approved
      title: Calibrated malignancy probability
      statement: >-
        The system shall compute, for each submitted case, a calibrated probability of
        malignancy between 0 and 1 from the 30 nuclear features (mean, standard error and worst
        of radius, texture, perimeter, area, smoothness, compactness, concavity, concave points,
        symmetry and fractal dimension).
      category: functional
      level: system
      acceptance_criteria: >-
        Output present and within [0, 1] for every verification case; calibration slope 0.9 to
        1.1 on the sequestered test split.
    req2:
      status: approved
      title: Categorical result from decision threshold
      statement: >-
        The system shall report 'Elevated likelihood of malignancy' when the calibrated
        probability is 0.50 or higher, and 'Low likelihood of malignancy' otherwise.
      category: functional
      level: software
      acceptance_criteria: Boundary cases at p = 0.49, 0.50 and 0.51 give the specified category.
      rationale: Operating point at the Youden index on the tuning folds (design review DR-2).
    req3:
      status: approved
      title: Standalone clinical performance
      statement: >-
        On the sequestered test split the model shall reach a sensitivity of at least 0.93 and a
        specificity of at least 0.90, with lower 95% confidence bounds of at least 0.85.
      category: performance
      level: system
      verification_method: analysis
      acceptance_criteria: Met in a recorded validation run on the sequestered split.
      metric_criteria: >-
        sensitivity >= 0.93; specificity >= 0.90; sensitivity_ci_low >= 0.85;
        specificity_ci_low >= 0.85
      monitoring_criteria: rolling_sensitivity >= 0.90; input_psi <= 0.20
      source_reference: Risk control RC-1; GMLP principle 8
    req4:
      status: approved
      title: Missing and out-of-range inputs
      statement: >-
        The system shall reject a case with any missing feature, and shall withhold the
        categorical result and show 'Outside validated input range - result not reliable' when
        any feature lies outside the 0.5th to 99.5th percentile range of the training data.
      category: safety
      level: software
      acceptance_criteria: All 30 features tested below, inside and above their range.
      source_reference: Risk control RC-2; CAPA-1
    req5:
      status: approved
      title: Accession binding
      statement: >-
        Every result shall carry the accession number and specimen identifier received with the
        case; the report shall display both, and the system shall refuse to return a result
        whose identifiers differ from the request.
      category: safety
      level: software
      acceptance_criteria: No mismatched identifiers in 10,000 randomised submissions.
      source_reference: Risk control RC-3
    req6:
      status: approved
      title: Turnaround time
      statement: >-
        The 95th percentile time from case submission to result shall not exceed 10 seconds
        with 20 concurrent submissions.
      category: performance
      level: system
      acceptance_criteria: p95 of 10 s or less over a 30-minute load test at 20 clients.
    req7:
      status: approved
      by: ravi
      title: User and client authentication
      statement: >-
        Users shall authenticate through the laboratory's SAML 2.0 or OpenID Connect identity
        provider with multi-factor authentication; LIS clients shall authenticate with mutually
        authenticated TLS client certificates.
      category: security
      level: system
      acceptance_criteria: No endpoint reachable without valid authentication (penetration test).
      source_reference: FDA Cyber Guidance 2026, authentication controls
    req8:
      status: approved
      by: ravi
      title: Encryption in transit and at rest
      statement: >-
        All external connections shall use TLS 1.2 or later (1.3 preferred); patient data and
        results at rest shall be encrypted with AES-256 using managed keys.
      category: security
      level: system
      acceptance_criteria: TLS scan shows no protocol below 1.2; encryption on every data store.
    req9:
      status: approved
      by: ravi
      title: Result integrity
      statement: >-
        The inference service shall sign each result (Ed25519); the report renderer shall verify
        the signature and refuse to display a result that fails verification.
      category: security
      level: software
      acceptance_criteria: Tampered results are never displayed.
      source_reference: Security risk SR-3
    req10:
      status: approved
      by: ravi
      title: Security event logging
      statement: >-
        The system shall log authentication events, result access and administrative actions
        with UTC timestamps, and retain the logs for at least six years.
      category: security
      level: system
      acceptance_criteria: Entries present for each event class; retention policy configured.
      rationale: Supports incident investigation and coordinated vulnerability disclosure.
    req11:
      status: approved
      title: Report content and limitations
      statement: >-
        Each report shall show the intended-use statement, the model version, the probability,
        the categorical result and the statement 'CytoAssist is an adjunct; the diagnosis rests
        with the cytopathologist'.
      category: regulatory
      level: labeling
      verification_method: inspection
      acceptance_criteria: All elements present and legible on PDF and web reports.
      source_reference: Risk control RC-5
    req12:
      status: approved
      by: ravi
      title: Signed software updates
      statement: >-
        The deployment pipeline shall deploy only container images signed with the Acme release
        key and verified at admission to the cluster.
      category: security
      level: system
      acceptance_criteria: Unsigned or re-signed images are refused at admission.
      source_reference: Security risk SR-2
    req13:
      status: approved
      title: Model version pinning
      statement: >-
        The inference service shall load only the model whose weights SHA-256 matches the
        released model manifest, and shall refuse to start otherwise.
      category: safety
      level: software
      acceptance_criteria: The service refuses to start with altered weights.
      source_reference: Risk control RC-4
    req14:
      status: approved
      title: Availability and degraded mode
      statement: >-
        The service shall be available 99.5% of each calendar month; when it is unavailable the
        LIS integration and the web viewer shall show that no estimate is available and that
        sign-out proceeds without it.
      category: performance
      level: system
      acceptance_criteria: Monthly availability report; degraded-mode message on fault injection.
      source_reference: Risk control RC-6
    req15:
      status: in_review
      title: Feature attribution display
      statement: >-
        The web viewer shall show the five features contributing most to each estimate, with
        the direction of their effect.
      category: usability
      level: software
      priority: should
      acceptance_criteria: Attributions shown for every case; summative usability evaluation passes.
    req16:
      status: in_review
      by: ravi
      title: Customer-facing SBOM
      statement: >-
        Each release shall make a CycloneDX 1.5 SBOM available to customers, listing every
        component with supplier, version, support level and end-of-support date.
      category: regulatory
      level: system
      verification_method: inspection
      acceptance_criteria: The SBOM matches the build's component inventory.
      source_reference: FD&C Act 524B(b)(3)
    req17:
      status: in_review
      title: Site-level input drift monitoring
      statement: >-
        The system shall compute monthly per-site feature distributions and alert the Acme
        monitoring team when the population stability index of any feature exceeds 0.2.
      category: functional
      level: system
      priority: should
      acceptance_criteria: Alert raised on a synthetic shifted dataset.
      source_reference: Post-market signal PMS-2
    req18:
      status: draft
      by: ravi
      title: HTTP/2 request-rate limiting at ingress
      statement: >-
        The ingress shall limit HTTP/2 stream resets and concurrent streams per client so that a
        rapid-reset flood cannot exhaust the service.
      category: security
      level: system
      acceptance_criteria: Latency limits hold under a rapid-reset attack simulation.
      source_reference: CVE-2023-44487 (VULN-1)
    req19:
      status: draft
      title: Supported feature-extraction software
      statement: >-
        The system shall accept cases only from feature-extraction software versions on the
        validated allow-list and shall reject others with an explanatory message.
      category: interface
      level: software
      acceptance_criteria: Listed versions accepted; unlisted versions rejected with the message.
    req20:
      status: draft
      by: ravi
      title: Customer export of security logs
      statement: >-
        Laboratory administrators shall be able to export their own security event log for a
        chosen period in JSON Lines format.
      category: security
      level: software
      priority: could
      acceptance_criteria: Export contains exactly the laboratory's events for the period.

links:
  derives_from: {req1: [un1], req2: [un1], req3: [un1], req4: [un3], req5: [un2], req6: [un4],
                 req7: [un5], req8: [un5], req9: [un5, un2], req10: [un5], req11: [un6],
                 req12: [un5], req13: [un1], req14: [un4], req15: [un7], req16: [un5],
                 req17: [un3, req4], req18: [un5], req19: [un8], req20: [un5]}

revisions:
  - local: req2
    by: lena
    approver: dana
    reason: CR-2 - decision threshold 0.50 to 0.42 under PCCP-CA-01 modification M2
    changes:
      statement: >-
        The system shall report 'Elevated likelihood of malignancy' when the calibrated
        probability is 0.42 or higher, and 'Low likelihood of malignancy' otherwise.
      acceptance_criteria: Boundary cases at p = 0.41, 0.42 and 0.43 give the specified category.
      rationale: >-
        Threshold lowered from 0.50 to 0.42 to restore sensitivity after PMS-1 and CMP-5
        (CAPA-3, CR-2); within the PCCP-CA-01 modification M2 band (0.35 to 0.55).
    confirm: [[changes, cr2, req2], [implements, swi3, req2]]
"""


def content(days: Days) -> Content:
    return load(TEXT, days)
