"""Cybersecurity (FD&C Act 524B; FDA Cyber Guidance 2026; AAMI SW96): threats to vulnerabilities.

Security risks with safety impact reach the safety risk file through may_cause links to
hazardous situations (the security-to-safety bridge FDA asks for).
"""

from __future__ import annotations

from qspine.demo.spec import Content, Days, load

TEXT = """
records:
  threat:
    _:
      by: ravi
      signers: {approved: tomas}
      threat_actor: Organised criminal group or insider with moderate capability
      assumptions: >-
        Hospital networks are hostile; the cloud provider's controls operate as described in
        its SOC 2 report.
    thr1:
      status: approved
      title: Stolen clinician credentials
      stride_category: spoofing
      asset: Case results and patient data
      entry_point: Web viewer and identity provider
      attack_vector: network
      architecture_view: global_system
      description: Phished credentials used to view results or submit cases.
    thr2:
      status: approved
      title: Tampering in the build and release pipeline
      stride_category: tampering
      asset: Model weights, container images and the update channel
      entry_point: CI/CD pipeline and third-party packages
      attack_vector: supply_chain
      architecture_view: updatability_patchability
      description: A compromised dependency or runner alters weights or images before release.
    thr3:
      status: in_review
      title: Result alteration in transit
      stride_category: tampering
      asset: Result messages to the LIS
      entry_point: HL7 interface
      attack_vector: network
      architecture_view: global_system
      description: A man-in-the-middle on a misconfigured hospital proxy alters results.
    thr4:
      status: in_review
      title: HTTP/2 rapid-reset flood
      stride_category: denial_of_service
      asset: Service availability
      entry_point: Public ingress
      attack_vector: network
      architecture_view: multi_patient_harm
      description: A stream-reset flood exhausts ingress workers for all customers.
    thr5:
      status: in_review
      title: Cross-tenant data disclosure
      stride_category: information_disclosure
      asset: Patient data of other laboratories
      entry_point: Case API
      attack_vector: network
      architecture_view: global_system
      description: An authorisation flaw lets one laboratory read another's cases.
    thr6:
      status: draft
      title: Unattributable administrative changes
      stride_category: repudiation
      asset: Configuration and decision thresholds
      entry_point: Administration console
      attack_vector: network
      architecture_view: security_use_case
      description: An administrator changes configuration and later denies it.

  security_risk:
    _:
      by: ravi
      signers: {approved: tomas}
      scoring_method: Acme exploitability x impact matrix, SOP-007 section 6 (CVSS 3.1 as input)
      pre_control_rating: unacceptable
      post_control_rating: acceptable
    sr1:
      status: in_review
      title: Account takeover of a clinician account
      description: >-
        Read access to one laboratory's cases; results cannot be altered because they are
        signed.
      exploitability: moderate
      impact: high
      post_control_exploitability: low
      post_control_impact: moderate
      safety_impact: false
    sr2:
      status: approved
      title: Malicious model substitution
      description: Altered weights deployed to all customers give systematically false lows.
      exploitability: low
      impact: critical
      post_control_exploitability: very_low
      post_control_impact: critical
      safety_impact: true
      residual_rationale: >-
        Two independent controls (admission signature check and weights hash pinning); pipeline
        access limited to two release managers with hardware keys.
    sr3:
      status: approved
      title: Result alteration between the service and the LIS
      description: A changed result reaches the patient record.
      exploitability: low
      impact: high
      post_control_exploitability: very_low
      post_control_impact: high
      safety_impact: true
      residual_rationale: Results are signed end to end; the renderer refuses invalid signatures.
    sr4:
      status: in_review
      title: Ingress denial of service
      description: Estimates unavailable for all sites during an attack.
      exploitability: high
      impact: moderate
      post_control_exploitability: low
      post_control_impact: moderate
      safety_impact: true
    sr5:
      status: draft
      title: Cross-tenant disclosure of patient data
      description: Confidentiality breach across laboratories.
      exploitability: low
      impact: high
      safety_impact: false

  vulnerability:
    _: {by: ravi, signers: {closed: marco}}
    vuln1:
      status: investigating
      title: HTTP/2 rapid reset in nginx 1.24.0
      identifier: CVE-2023-44487
      source: cisa_kev
      discovered_on: !ago 250
      triage_state: affected
      triaged_on: !ago 247
      severity: high
      cvss_score: 7.5
      cvss_vector: CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H
      cwe: [CWE-400]
      known_exploited: true
      summary: >-
        Clients can open and immediately reset HTTP/2 streams at a high rate, exhausting server
        resources (denial of service).
      justification: >-
        HTTP/2 is enabled on the public ingress. Availability only; the degraded mode (RC-6)
        keeps sign-out safe, so the risk of patient harm is controlled.
      patient_risk: controlled
      remediation: >-
        Compensating controls deployed (keepalive_requests 1000, http2_max_concurrent_streams
        64, per-client limit_req); upgrade to nginx 1.26.1 in 2.1.0 (CR-3).
      fixed_in: 2.1.0
      remediation_due: !ahead 21
      customers_notified_on: !ago 243
    vuln2:
      status: closed
      title: OpenSSL PKCS12 NULL pointer dereference
      identifier: CVE-2024-0727
      aliases: [GHSA-9v9h-cgj8-h64p]
      source: nvd
      discovered_on: !ago 270
      triage_state: not_affected
      triaged_on: !ago 262
      severity: medium
      cvss_score: 5.5
      cwe: [CWE-476]
      summary: A malformed PKCS12 file can crash an application that parses it.
      vex_justification: vulnerable_code_not_in_execute_path
      justification: >-
        CytoAssist never parses PKCS12 data; keys are loaded from PEM secrets mounted by the
        cluster.
      patient_risk: controlled
    vuln3:
      status: pending_closure
      title: scikit-learn TfidfVectorizer stores discarded tokens
      identifier: CVE-2024-5206
      source: ghsa
      discovered_on: !ago 190
      triage_state: not_affected
      triaged_on: !ago 176
      severity: medium
      vex_justification: vulnerable_code_not_in_execute_path
      justification: >-
        CytoAssist uses no text vectorisers; the model uses numeric features only. Fixed anyway
        by scikit-learn 1.5.0 in 2.1.
      patient_risk: controlled
    vuln4:
      status: investigating
      title: urllib3 keeps Proxy-Authorization on cross-origin redirects
      identifier: CVE-2024-37891
      aliases: [GHSA-34jh-p97f-mpxf]
      source: osv
      discovered_on: !ago 41
      triage_state: under_investigation
      severity: medium
      summary: >-
        When a proxy is configured without urllib3's proxy support, the Proxy-Authorization
        header may be sent to a redirected origin.
      justification: >-
        Found by the weekly SCA scan. Whether the outbound identity-provider calls pass through
        an authenticated proxy is not yet established.
      patient_risk: not_assessed
    vuln5:
      status: open
      title: requests Session keeps verify=False for later requests
      identifier: CVE-2024-35195
      aliases: [GHSA-9wx4-h78v-vm56]
      source: osv
      discovered_on: !ago 6
      triage_state: under_investigation
      severity: medium
      cvss_score: 5.6
      summary: >-
        A Session whose first request disabled certificate verification keeps it disabled for
        later requests to the same origin.
      patient_risk: not_assessed
    vuln6:
      status: pending_closure
      title: Jinja xmlattr filter accepts non-attribute characters in keys
      identifier: CVE-2024-34064
      source: ghsa
      discovered_on: !ago 150
      triage_state: not_affected
      triaged_on: !ago 141
      severity: medium
      vex_justification: vulnerable_code_not_in_execute_path
      justification: >-
        Report templates do not use the xmlattr filter (checked by grep of all templates);
        jinja2 3.1.4 ships in 2.1 regardless.
      patient_risk: controlled

links:
  poses: {thr1: [sr1], thr2: [sr2], thr3: [sr3], thr4: [sr4], thr5: [sr5]}
  may_cause: {sr2: [hs5], sr3: [hs3], sr4: [hs4, hs8]}
  affects: {vuln1: [sbom3, rel1], vuln2: [sbom2, rel1], vuln3: [sbom10], vuln4: [sbom17, rel1],
            vuln5: [sbom16, rel1], vuln6: [sbom18]}
"""


def content(days: Days) -> Content:
    return load(TEXT, days)
