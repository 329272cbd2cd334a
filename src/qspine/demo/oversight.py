"""Oversight (ISO 13485:2016 5.6, 8.2.4): audits, findings, management reviews and actions."""

from __future__ import annotations

from qspine.demo.spec import Content, Days, load

TEXT = """
records:
  audit:
    _: {by: marco}
    aud1:
      status: closed
      title: Internal audit - design control and training
      audit_type: internal
      scope: Design and development of CytoAssist 2.0 (ISO 13485:2016 7.3); training (6.2).
      criteria: ISO 13485:2016; 21 CFR 820; SOP-005, SOP-006, SOP-009
      lead_auditor: Marco Bianchi
      independence_statement: The auditor had no role in CytoAssist design work.
      audit_date: !ago 130
      end_date: !ago 129
      conclusion: Design controls effective; one minor finding and one observation.
    aud2:
      status: pending_closure
      title: Supplier audit - Keystone Security Labs
      audit_type: supplier
      scope: Penetration testing methodology, tester qualification and report control.
      lead_auditor: Ravi Iyer
      audit_date: !ago 345
      conclusion: Suitable for independent penetration testing.
    aud3:
      status: investigating
      title: Internal audit - complaint handling, MDR and vulnerability management
      audit_type: internal
      scope: ISO 13485:2016 8.2.2 and 8.2.3; 21 CFR 803 and 820.35; SOP-003 and SOP-007.
      lead_auditor: Dana Whitfield
      audit_team: [J. Brandt (external auditor)]
      audit_date: !ago 25
      end_date: !ago 24
    aud4:
      status: closed
      title: Supplier audit - Northfield Cytopathology Partners
      audit_type: supplier
      scope: >-
        Case selection, de-identification, histology confirmation and data transfer for the
        external validation and clinical performance data (QA-NCP-01).
      criteria: QA-NCP-01 rev A; DUA-NCP-2024-02; 45 CFR 164.514 (de-identification)
      lead_auditor: Dana Whitfield
      audit_date: !ago 432
      end_date: !ago 431
      conclusion: >-
        Approved as a critical data provider: selection and de-identification controlled; one
        observation on transfer checksums, closed before the first delivery.

  finding:
    _: {by: marco}
    fnd1:
      status: pending_closure
      title: Training records missing for SOP-006
      classification: minor
      clause: ISO 13485:2016 6.2
      statement: Two engineers who worked on 2.0 had no training record for SOP-006 rev C.
      objective_evidence: Training matrix extract; commit history of the inference repository.
      response_due: !ago 100
      capa_required: true
    fnd2:
      status: investigating
      title: SOP-005 cites the withdrawn QS regulation
      classification: observation
      clause: 21 CFR 820.10(c); ISO 13485:2016 7.3.10
      statement: >-
        SOP-005 still refers to 21 CFR 820.30, the DHF and the DMR, which the QMSR no longer
        uses.
      response_due: !ago 70
      correction: Revision of SOP-005 planned (ACT-5).
      capa_required: false
    fnd3:
      status: open
      title: Vulnerability triage times not monitored
      classification: minor
      clause: FD&C Act 524B(b)(2); SOP-007
      statement: >-
        SOP-007 sets a 30-day triage target but nobody monitors it; one vulnerability has been
        under investigation for longer.
      response_due: !ahead 20
      capa_required: true
    fnd4:
      status: open
      title: Complaint trend report not issued for the last quarter
      classification: observation
      clause: ISO 13485:2016 8.4
      statement: SOP-003 requires a quarterly complaint trend report; the last one is missing.
      response_due: !ahead 20
      capa_required: false

  management_review:
    _:
      by: marco
      attendees: [Dana Whitfield (QA/RA and management representative), Chief Executive Officer,
                  VP Engineering, Marco Bianchi]
    mr1:
      status: closed
      title: !fmt "Management review {half:200}"
      period_start: !ago 380
      period_end: !ago 200
      held_on: !ago 190
      inputs_summary: 2.0 release; NC-1 and CAPA-1; CR-1; CMP-2; VULN-2; supplier audit AUD-2.
      decisions: Establish quarterly model performance monitoring (ACT-1).
      qms_effectiveness_conclusion: The QMS is suitable, adequate and effective.
    mr2:
      status: pending_closure
      title: !fmt "Management review {half:40}"
      period_start: !ago 200
      period_end: !ago 40
      held_on: !ago 35
      inputs_summary: >-
        Complaints including reportable CMP-5; PMS-1 drift; CAPA-2 and CAPA-3; AUD-1; VULN-1;
        transition to the QMSR; follow-up of ACT-1.
      decisions: Second data supplier (ACT-2); security staffing (ACT-3); 2.1 scope.
      qms_effectiveness_conclusion: Effective, with the sensitivity trend under CAPA-3.

  action:
    _: {by: marco}
    act1: {status: pending_closure, title: Establish quarterly model performance monitoring,
           owner: mei, due_date: !ago 120, completed_on: !ago 125, action_type: improvement,
           completion_evidence: Monitoring dashboard and PMS plan rev B.}
    act2: {status: open, owner: dana, due_date: !ago 20, action_type: resource,
           title: Qualify a second external validation data supplier and renew the Northfield DUA}
    act3: {status: open, owner: dana, due_date: !ahead 45, action_type: resource,
           title: Add half a full-time security engineer for vulnerability triage}
    act4: {status: investigating, owner: mei, due_date: !ahead 10, action_type: correction,
           title: Retrospective review of low-likelihood cases at the CMP-5 site}
    act5: {status: open, owner: lena, due_date: !ahead 30, action_type: corrective,
           title: Revise SOP-005 to QMSR terms}
    act6: {status: open, owner: lena, due_date: !ahead 14, action_type: implementation,
           title: Update IFU section 5 for the 0.42 threshold}
    act7: {status: open, owner: dana, due_date: !ahead 5, action_type: follow_up,
           title: Issue the AUD-3 audit report}
    act8: {status: open, owner: mei, due_date: !ahead 25, action_type: preventive,
           title: Assess the stain protocol change with the PMS-2 site}
    act9: {status: closed, owner: lena, due_date: !ago 330, completed_on: !ago 326,
           action_type: corrective, title: Derive range limits from DS-2 and repeat validation,
           completion_evidence: CR-1 implemented; VAL-1 repeated with 17 of 17 flagged.}

links:
  found_in: {fnd1: [aud1], fnd2: [aud1], fnd3: [aud3], fnd4: [aud3]}
  audits_supplier: {aud2: [sup8], aud4: [sup2]}
  follows_up: {mr2: [mr1]}
  reviews: {mr1: [nc1, capa1, cr1, cmp2, vuln2, aud2],
            mr2: [cmp1, cmp5, capa2, capa3, aud1, fnd1, fnd2, pms1, vuln1, cr4, act1]}
  action_of: {act1: [mr1], act2: [mr2], act3: [mr2], act4: [capa3], act5: [fnd2], act6: [cr2],
              act7: [aud3], act8: [capa4], act9: [capa1]}
"""


def content(days: Days) -> Content:
    return load(TEXT, days)
