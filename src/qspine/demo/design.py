"""Design and development (ISO 13485:2016 7.3, IEC 62304): needs, inputs, architecture, V&V."""

from __future__ import annotations

from qspine.demo.spec import Days, Link, Rec, Revision, links, rec

FEATURES = ("radius, texture, perimeter, area, smoothness, compactness, concavity, "
            "concave points, symmetry and fractal dimension")
BUILD_20 = "2.0.0 (build 2.0.0+412, image sha256:5f0c…e9a1)"
BUILD_21 = "2.1.0-rc1 (build 2.1.0-rc1+57)"
LAB = "Cytopathologists and cytotechnologists in hospital and reference laboratories"


def user_needs() -> list[Rec]:
    def need(n: int, status: str, title: str, statement: str, **more: str) -> Rec:
        return rec(f"un{n}", "user_need", "lena", status, title=title, statement=statement,
                   user_group=more.pop("user_group", LAB), **more)
    return [
        need(1, "approved", "Objective malignancy estimate for breast FNA",
             "As a cytopathologist reviewing a breast fine-needle aspirate, I need an objective "
             "estimate of how likely the lesion is malignant, computed from the cell nuclei, to "
             "support (not replace) my interpretation.", source="intended_use",
             priority="essential", use_environment="Cytopathology sign-out, hospital laboratory",
             rationale="Intended use of CytoAssist; inter-observer variability in breast FNA "
                       "interpretation is the clinical problem the device addresses."),
        need(2, "approved", "Result unmistakably tied to the right case",
             "I need to be certain that every estimate I see belongs to the accession and "
             "specimen I am signing out.", source="clinical_input", priority="essential",
             rationale="Wrong-patient results are a known failure mode of networked lab software."),
        need(3, "approved", "Know when the estimate is not reliable",
             "I need the device to tell me when a case is outside what it was validated for, "
             "instead of giving me a number I cannot trust.", source="clinical_input",
             priority="essential"),
        need(4, "approved", "Result within the sign-out workflow",
             "I need the estimate within seconds of submitting the case, so that it does not "
             "delay sign-out.", source="customer_research", priority="important",
             use_environment="Laboratory information system (LIS) integration, 50-300 cases/day"),
        need(5, "approved", "Patient data and results protected",
             "As the laboratory's privacy and IT security officer, I need patient data and "
             "results protected from disclosure and tampering in the cloud service.",
             user_group="Laboratory IT security and privacy officers", source="regulatory",
             priority="essential", rationale="HIPAA Security Rule; FD&C Act 524B (cyber device)."),
        need(6, "approved", "Report fit for the clinical record",
             "I need a report that states the intended use, the model version and the "
             "limitations, so that the result can be filed in the patient record.",
             source="regulatory", priority="important"),
        need(7, "draft", "See which features drove the estimate",
             "I would like to see which nuclear features contributed most to an estimate so "
             "that I can compare it with what I see under the microscope.",
             source="customer_research", priority="desirable",
             rationale="Requested by 9 of 12 sites in the 2.0 customer survey; also a control "
                       "against automation bias (HS-7)."),
    ]


def requirements() -> list[Rec]:
    def req(n: int, author: str, status: str, title: str, statement: str, category: str,
            level: str, criteria: str, method: str = "test", **more: str) -> Rec:
        return rec(f"req{n}", "requirement", author, status, title=title, statement=statement,
                   category=category, level=level, acceptance_criteria=criteria,
                   verification_method=method, priority=more.pop("priority", "must"), **more)
    return [
        req(1, "lena", "approved", "Calibrated malignancy probability",
            f"The system shall compute, for each submitted case, a calibrated probability of "
            f"malignancy between 0 and 1 from the 30 nuclear features (mean, standard error and "
            f"worst of {FEATURES}).", "functional", "system",
            "Output present and within [0, 1] for all cases of the verification set; "
            "calibration slope 0.9-1.1 on the sequestered test split."),
        req(2, "lena", "approved", "Categorical result from decision threshold",
            "The system shall report 'Elevated likelihood of malignancy' when the calibrated "
            "probability is 0.50 or higher, and 'Low likelihood of malignancy' otherwise.",
            "functional", "software", "Boundary cases at p = 0.49, 0.50 and 0.51 give the "
            "specified category.", rationale="Operating point chosen at the Youden index on "
                                             "the tuning folds (design review DR-2)."),
        req(3, "lena", "approved", "Standalone clinical performance",
            "On the sequestered test split the model shall reach sensitivity of at least 0.93 and "
            "specificity of at least 0.90, with lower 95% confidence bounds of at least 0.85.",
            "performance", "system", "Met in a recorded validation run on the sequestered split.",
            "analysis", source_reference="Risk control RC-1; GMLP principle 8"),
        req(4, "lena", "approved", "Missing and out-of-range inputs",
            "The system shall reject a case with any missing feature, and shall withhold the "
            "categorical result and show 'Outside validated input range - result not reliable' "
            "when any feature lies outside the 0.5th-99.5th percentile range of the training "
            "data.", "safety", "software", "All 30 features tested below, inside and above range.",
            source_reference="Risk control RC-2"),
        req(5, "lena", "approved", "Accession binding",
            "Every result shall carry the accession number and specimen identifier received "
            "with the case; the report shall display both, and the system shall refuse to "
            "return a result whose identifiers differ from the request.", "safety", "software",
            "No result delivered with mismatching identifiers in 10,000 randomised submissions.",
            source_reference="Risk control RC-3"),
        req(6, "lena", "approved", "Turnaround time",
            "The 95th percentile time from case submission to result shall not exceed 10 "
            "seconds with 20 concurrent submissions.", "performance", "system",
            "p95 <= 10 s over a 30-minute load test at 20 concurrent clients."),
        req(7, "ravi", "approved", "User and client authentication",
            "Users shall authenticate through the laboratory's SAML 2.0 or OpenID Connect "
            "identity provider with multi-factor authentication; LIS clients shall authenticate "
            "with mutually authenticated TLS client certificates.", "security", "system",
            "No endpoint reachable without valid authentication (penetration test).",
            source_reference="FDA Cyber Guidance 2026, authentication controls"),
        req(8, "ravi", "approved", "Encryption in transit and at rest",
            "All external connections shall use TLS 1.2 or later (1.3 preferred); patient data "
            "and results at rest shall be encrypted with AES-256 using managed keys.",
            "security", "system", "TLS scan shows no protocol below 1.2; storage encryption "
            "enabled on every data store."),
        req(9, "ravi", "approved", "Result integrity",
            "The inference service shall sign each result (Ed25519); the report renderer shall "
            "verify the signature and refuse to display a result that fails verification.",
            "security", "software", "Tampered results are never displayed.",
            source_reference="Security risk SR-3"),
        req(10, "ravi", "approved", "Security event logging",
            "The system shall log authentication events, result access and administrative "
            "actions with UTC timestamps, and retain the logs for at least six years.",
            "security", "system", "Log entries present for each event class; retention policy "
            "configured.", rationale="Supports incident investigation and the CVD process."),
        req(11, "lena", "approved", "Report content and limitations",
            "Each report shall show the intended-use statement, the model version, the "
            "probability, the categorical result and the statement 'CytoAssist is an adjunct; "
            "the diagnosis rests with the cytopathologist'.", "regulatory", "labeling",
            "All elements present on PDF and web reports.", "inspection",
            source_reference="Risk control RC-5"),
        req(12, "ravi", "approved", "Signed software updates",
            "The deployment pipeline shall deploy only container images signed with the Acme "
            "release key and verified at admission to the cluster.", "security", "system",
            "An unsigned or re-signed image is refused at admission.",
            source_reference="Security risk SR-2"),
        req(13, "lena", "approved", "Model version pinning",
            "The inference service shall load only the model whose weights SHA-256 matches the "
            "released model manifest, and shall refuse to start otherwise.", "safety", "software",
            "Service refuses to start with altered weights.", source_reference="Risk control RC-4"),
        req(14, "lena", "approved", "Availability and degraded mode",
            "The service shall be available 99.5% of each calendar month; when unavailable, the "
            "LIS integration and web viewer shall show that no estimate is available and that "
            "sign-out proceeds without it.", "performance", "system",
            "Monthly availability report; degraded-mode message shown on fault injection.",
            source_reference="Risk control RC-6"),
        req(15, "lena", "in_review", "Feature attribution display",
            "The web viewer shall show the five features contributing most to each estimate, "
            "with the direction of their effect.", "usability", "software",
            "Attributions shown for every case; summative usability evaluation passes.",
            priority="should"),
        req(16, "ravi", "in_review", "Customer-facing SBOM",
            "Each release shall make a CycloneDX 1.5 SBOM available to customers, listing every "
            "component with supplier, version, support level and end-of-support date.",
            "regulatory", "system", "SBOM matches the build's component inventory.",
            source_reference="FD&C Act 524B(b)(3)"),
        req(17, "lena", "in_review", "Site-level input drift monitoring",
            "The system shall compute monthly per-site feature distributions and alert the "
            "Acme monitoring team when the population stability index of any feature exceeds "
            "0.2.", "functional", "system", "Alert raised on a synthetic shifted dataset.",
            source_reference="Post-market signal PMS-2", priority="should"),
        req(18, "ravi", "draft", "HTTP/2 request-rate limiting at ingress",
            "The ingress shall limit HTTP/2 stream resets and concurrent streams per client so "
            "that a rapid-reset flood cannot exhaust the service.", "security", "system",
            "Service stays within latency limits under a rapid-reset attack simulation.",
            source_reference="Vulnerability CVE-2023-44487"),
    ]


def software_items() -> list[Rec]:
    rationale = ("Failure could contribute to a delayed diagnosis; the cytopathologist's "
                 "interpretation and histological confirmation are external risk controls, so "
                 "no death or serious injury follows from the software alone (class B).")

    def item(n: int, status: str, title: str, level: str, description: str, **more: object) -> Rec:
        return rec(f"swi{n}", "software_item", "lena", status, title=title,
                   decomposition_level=level, description=description,
                   safety_class=more.pop("safety_class", "B"),
                   classification_rationale=more.pop("classification_rationale", rationale),
                   **more)
    return [
        item(1, "approved", "CytoAssist cloud service", "software_system",
             "The whole SaMD: case intake API, inference, report rendering and identity "
             "gateway, deployed as containers on a managed Kubernetes cluster.",
             repository="git.acme-medtech.example/cytoassist/platform"),
        item(2, "approved", "Case intake and input validation", "software_item",
             "Receives feature vectors from the LIS, checks completeness, units and ranges, and "
             "binds accession and specimen identifiers to the case.",
             repository="git.acme-medtech.example/cytoassist/platform//intake"),
        item(3, "approved", "Inference engine", "software_item",
             "Loads the pinned model, verifies its weights hash, computes the calibrated "
             "probability and the categorical result, and signs the result.",
             repository="git.acme-medtech.example/cytoassist/platform//inference"),
        item(4, "approved", "Report renderer", "software_item",
             "Verifies result signatures and renders the web and PDF reports, including the "
             "intended-use and limitation statements.",
             repository="git.acme-medtech.example/cytoassist/platform//reports"),
        item(5, "in_review", "Identity and access gateway", "software_item",
             "OIDC/SAML relying party, mutual-TLS termination for LIS clients, role-based "
             "authorisation.", repository="git.acme-medtech.example/cytoassist/platform//gateway"),
        item(6, "in_review", "Security event logging", "software_item",
             "Structured security events shipped to the write-once log archive.",
             safety_class="A", classification_rationale="No hazardous contribution: logging "
             "failure cannot affect a result."),
        item(7, "in_review", "scikit-learn (SOUP)", "software_item",
             "Machine-learning library providing the gradient-boosting classifier and isotonic "
             "calibration used at training and inference.", soup=True,
             manufacturer="scikit-learn developers (NumFOCUS fiscally sponsored project)",
             version="1.4.2", soup_requirements="HistGradientBoostingClassifier and "
             "CalibratedClassifierCV with deterministic predictions for a fixed model file; "
             "runs on CPython 3.11, numpy 1.26, scipy 1.12, x86-64 Linux.",
             soup_anomaly_review="Release notes and GitHub issues labelled 'Bug' for 1.4.x "
             "reviewed; no anomaly affects prediction of a fitted model. CVE-2024-5206 "
             "(TfidfVectorizer) concerns code CytoAssist does not use."),
        item(8, "draft", "Feature attribution explainer", "software_item",
             "Computes per-case feature attributions (TreeSHAP) for display in the web viewer.",
             repository="git.acme-medtech.example/cytoassist/platform//explain"),
    ]


def test_cases() -> list[Rec]:
    def case(n: int, author: str, status: str, title: str, procedure: str, criteria: str,
             **more: object) -> Rec:
        signer = "lena" if author == "aisha" else "dana"
        return rec(f"tc{n}", "test_case", author, status, signers={"approved": signer},
                   title=title, procedure=procedure, acceptance_criteria=criteria,
                   method=more.pop("method", "test"), test_level=more.pop("test_level", "system"),
                   **more)
    return [
        case(1, "aisha", "approved", "Probability output for the verification feature set",
             "Submit the 120 verification cases through the LIS API; record the probability.",
             "Every case returns a probability in [0, 1]; calibration slope 0.9-1.1.",
             test_type="functional", automated=True,
             automation_reference="tests/system/test_inference.py::test_probability_range"),
        case(2, "aisha", "approved", "Decision threshold boundary",
             "Submit synthetic cases whose calibrated probability is 0.49, 0.50 and 0.51.",
             "0.49 gives 'Low likelihood'; 0.50 and 0.51 give 'Elevated likelihood'.",
             test_type="functional", automated=True,
             automation_reference="tests/system/test_inference.py::test_threshold_boundary"),
        case(3, "aisha", "approved", "Standalone performance on the sequestered test split",
             "Run the frozen evaluation pipeline on DS-3 and compare with REQ-3.",
             "Sensitivity >= 0.93, specificity >= 0.90, lower 95% bounds >= 0.85.",
             method="analysis", test_type="performance", sample_size=171,
             sample_size_rationale="Whole sequestered split; 64 malignant cases give a 95% "
                                   "Wilson lower bound above 0.85 at the target sensitivity."),
        case(4, "aisha", "approved", "Missing and out-of-range feature handling",
             "For each of the 30 features submit cases with the value missing, at the 0.4th, "
             "50th and 99.6th training percentile.",
             "Missing values rejected; out-of-range values withhold the category and show the "
             "warning; in-range values unaffected.", test_type="robustness", automated=True,
             automation_reference="tests/system/test_intake.py::test_input_ranges"),
        case(5, "aisha", "approved", "Accession binding and result signature verification",
             "Submit 10,000 randomised cases with concurrent sessions; tamper with 100 signed "
             "results in transit; refresh the viewer during delivery.",
             "Zero mismatched identifiers; every tampered result refused by the renderer.",
             test_type="robustness", automated=True,
             automation_reference="tests/system/test_binding.py"),
        case(6, "aisha", "approved", "Latency, throughput and degraded-mode timing",
             "Load test at 20 concurrent clients for 30 minutes (k6 script perf/20c.js).",
             "p95 latency <= 10 s; no errors.", test_type="performance", automated=True),
        case(7, "ravi", "approved", "Penetration test of the internet-facing service",
             "Independent grey-box penetration test of the API, web viewer and identity "
             "gateway (OWASP ASVS 4.0 level 2 scope), 10 tester-days.",
             "No critical or high findings open; medium findings risk-assessed.",
             test_type="penetration"),
        case(8, "ravi", "approved", "Deployment integrity: image signatures and weights hash",
             "Attempt to deploy an unsigned image, an image signed with a test key, and a "
             "correctly signed image carrying altered model weights.",
             "Unsigned and wrongly signed images refused at admission; altered weights stop "
             "the inference service at start-up.", test_type="robustness"),
        case(9, "aisha", "approved", "Report content inspection",
             "Inspect PDF and web reports for 20 cases covering both categories and the "
             "out-of-range warning.", "All elements of REQ-11 present and legible.",
             method="inspection", test_type="functional"),
        case(10, "aisha", "draft", "Feature attribution display",
             "Check the five displayed attributions against the reference TreeSHAP values.",
             "Same features and signs as the reference for every case.", test_type="functional"),
        case(11, "aisha", "in_review", "Drift alert on shifted site data",
             "Replay a synthetic month of data with texture features shifted by +1.5 SD.",
             "Alert raised within one monitoring cycle.", test_type="functional"),
        case(12, "ravi", "in_review", "HTTP/2 rapid-reset resilience",
             "Run an HTTP/2 rapid-reset flood (h2load-based harness) against staging ingress.",
             "p95 latency for legitimate clients stays <= 10 s; no pod restarts.",
             test_type="robustness"),
        case(13, "ravi", "in_review", "SBOM completeness against the build",
             "Generate the CycloneDX SBOM and compare with the image's installed packages.",
             "Every installed package listed with version, supplier and support level.",
             method="inspection", test_type="software_composition_analysis"),
        case(14, "ravi", "in_review", "Fuzzing of the case submission API",
             "Schema-aware fuzzing of POST /v2/cases for 24 hours (Schemathesis).",
             "No 5xx responses other than documented 503 back-pressure; no data leaks across "
             "tenants.", test_type="fuzzing", automated=True),
    ]


def test_results(d: Days) -> list[Rec]:
    env = "Staging cluster stg-eu1, 3 x c6i.xlarge, PostgreSQL 15.6"

    def result(n: int, tc: int, status: str, outcome: str, days_ago: int, observed: str,
               **more: str) -> Rec:
        verifier = "ravi" if tc in (7, 8) else "marco"
        return rec(f"tr{n}", "test_result", "aisha", status, signers={"verified": verifier},
                   title=f"TC-{tc} on {more.get('item_version', BUILD_20).split(' ')[0]}",
                   outcome=outcome, executed_on=d.stamp(days_ago, 9 + n % 8),
                   executed_by=more.pop("executed_by", "aisha"),
                   item_version=more.pop("item_version", BUILD_20),
                   environment=more.pop("environment", env), actual_results=observed, **more)
    return [
        result(1, 1, "recorded", "pass", 320, "120/120 probabilities in [0, 1]; calibration "
               "slope 0.97.", executed_by="ci (pipeline 8841)"),
        result(2, 2, "recorded", "pass", 320, "p=0.49 Low; p=0.50 Elevated; p=0.51 Elevated.",
               executed_by="ci (pipeline 8841)"),
        result(3, 3, "recorded", "pass", 318, "Sensitivity 0.953 (61/64), specificity 0.972 "
               "(104/107); lower 95% bounds 0.870 and 0.921. See VR-1."),
        result(4, 4, "recorded", "pass", 320, "All 120 range cases behaved as specified.",
               executed_by="ci (pipeline 8841)"),
        result(5, 5, "recorded", "pass", 316, "0/10,000 mismatches; 100/100 tampered results "
               "refused."),
        result(6, 6, "recorded", "pass", 315, "p95 4.8 s, p99 7.1 s, 0 errors in 36,412 "
               "requests."),
        result(7, 7, "recorded", "pass", 330, "0 critical, 0 high, 2 medium (verbose error "
               "page; missing rate limit on password reset), both risk-assessed and fixed "
               "before release.", executed_by="Keystone Security Labs (independent tester)",
               anomalies="Report KSL-2025-117, findings M-1 and M-2 closed in build 2.0.0+398."),
        result(8, 8, "recorded", "pass", 314, "Unsigned and test-key images refused by the "
               "admission controller; altered weights: inference exits with 'model hash "
               "mismatch'.", executed_by="ravi"),
        result(9, 9, "recorded", "pass", 313, "20/20 reports complete and legible."),
        result(10, 4, "draft", "pass", 9, "Regression on 2.1.0-rc1: all 120 range cases as "
               "specified.", item_version=BUILD_21, executed_by="ci (pipeline 10217)"),
        result(11, 12, "draft", "fail", 8, "p95 latency 31 s during the flood; two ingress pods "
               "restarted.", item_version=BUILD_21,
               anomalies="Problem report PR-233: max_concurrent_streams not applied to the "
                         "staging ingress profile."),
        result(12, 2, "draft", "fail", 8, "p=0.45 returned 'Elevated'; the protocol expects "
               "'Low'.", item_version=BUILD_21, executed_by="ci (pipeline 10217)",
               anomalies="Protocol TC-2 still specifies the 0.50 threshold of REQ-2 v1; the "
                         "2.1 threshold is 0.42 (CR-2). Protocol update needed."),
    ]


def validations(d: Days) -> list[Rec]:
    return [
        rec("val1", "validation", "aisha", "recorded", signers={"verified": "marco"},
            title="Clinical performance study, CytoAssist 2.0",
            validation_type="clinical_performance_study",
            product_configuration=f"{BUILD_20}, model 1.0.0; production-equivalent cluster",
            protocol="VP-CA-004 rev B", sites_and_participants="Northfield Cytopathology "
            "Partners and one academic centre; 3 board-certified cytopathologists",
            sample_size=412, sample_size_rationale="Powered for a sensitivity lower 95% bound "
            "of 0.85 with 150 malignant cases.",
            acceptance_criteria="Standalone sensitivity >= 0.90 and specificity >= 0.85 against "
            "histology; out-of-range warning on all low-cellularity cases.",
            results="Sensitivity 0.947 (142/150), specificity 0.912 (239/262); 17 cases "
            "flagged out of range, all with low cellularity.", outcome="pass",
            completed_on=d.ago(305)),
        rec("val2", "validation", "aisha", "recorded", signers={"verified": "marco"},
            title="Software validation in simulated clinical use, CytoAssist 2.0",
            validation_type="software_validation",
            product_configuration=f"{BUILD_20} with the LIS simulator and both identity "
            "providers", protocol="VP-CA-005 rev A", sites_and_participants="Acme usability lab; "
            "6 cytotechnologists, 4 cytopathologists", sample_size=10,
            acceptance_criteria="All critical tasks completed without use error affecting "
            "patient identity or result interpretation.",
            results="All critical tasks completed; one non-critical difficulty (PDF download "
            "location) addressed in IFU.", outcome="pass", completed_on=d.ago(308)),
        rec("val3", "validation", "aisha", "draft", title="Summative usability evaluation of "
            "the feature attribution display (2.1)", validation_type="summative_usability",
            product_configuration=BUILD_21, protocol="VP-CA-009 rev A", sample_size=15,
            sites_and_participants="15 cytopathologists at 3 customer sites",
            results="15/15 sessions complete; no critical use errors; report in preparation.",
            outcome="pass"),
    ]


def records(d: Days) -> list[Rec]:
    return [*user_needs(), *requirements(), *software_items(), *test_cases(),
            *test_results(d), *validations(d)]


def trace_links() -> list[Link]:
    derives = {1: [1], 2: [1], 3: [1], 4: [3], 5: [2], 6: [4], 7: [5], 8: [5], 9: [5, 2],
               10: [5], 11: [6], 12: [5], 13: [1], 14: [4], 15: [7], 16: [5], 17: [3], 18: [5]}
    implements = {1: [6, 14], 2: [4, 5], 3: [1, 2, 13], 4: [11, 9, 5], 5: [7, 8], 6: [10],
                  7: [1], 8: [15]}
    verifies = {1: ["req1", "swi3"], 2: ["req2"], 3: ["req3", "rc1"], 4: ["req4", "rc2"],
                5: ["req5", "req9", "rc3", "sr3"], 6: ["req6", "req14"],
                7: ["req7", "req8", "rc7", "sr1"], 8: ["req12", "req13", "rc4", "sr2"],
                9: ["req11", "rc5"], 10: ["req15"], 11: ["req17", "rc10"],
                12: ["req18", "rc8", "sr4"], 13: ["req16"], 14: ["sr5"]}
    results = {1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 6: 6, 7: 7, 8: 8, 9: 9, 10: 4, 11: 12, 12: 2}
    validates = {1: [1, 3], 2: [2, 4, 5, 6], 3: [7, 6]}
    out: list[Link] = []
    for r, needs in derives.items():
        out += links("derives_from", f"req{r}", *(f"un{n}" for n in needs))
    for s, reqs in implements.items():
        out += links("implements", f"swi{s}", *(f"req{r}" for r in reqs))
    for t, targets in verifies.items():
        out += links("verifies", f"tc{t}", *targets)
    out += [Link("result_of", f"tr{r}", f"tc{t}") for r, t in results.items()]
    for v, needs in validates.items():
        out += links("validates", f"val{v}", *(f"un{n}" for n in needs))
    out.append(Link("derives_from", "req17", "req4"))
    return out


def revisions() -> list[Revision]:
    """REQ-2 moves to 0.42 for 2.1 (CR-2); TC-2 still tests 0.50, so its link turns suspect."""
    return [Revision(
        "req2", author="lena", approver="dana",
        changes={"statement": "The system shall report 'Elevated likelihood of malignancy' when "
                              "the calibrated probability is 0.42 or higher, and 'Low "
                              "likelihood of malignancy' otherwise.",
                 "acceptance_criteria": "Boundary cases at p = 0.41, 0.42 and 0.43 give the "
                                        "specified category.",
                 "rationale": "Threshold lowered from 0.50 to 0.42 to restore sensitivity after "
                              "PMS-1 and CMP-5 (CAPA-3, CR-2); within PCCP-CA-01 modification "
                              "M2 bounds (0.35-0.55)."},
        reason="CR-2: decision threshold 0.50 -> 0.42 under PCCP-CA-01 modification M2",
        confirm=(Link("changes", "cr2", "req2"), Link("implements", "swi3", "req2")),
    )]
