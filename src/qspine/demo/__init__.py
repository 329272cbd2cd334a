"""The CytoAssist demo: Acme MedTech's class II SaMD, seeded into a new spine.

`seed_demo(spine)` creates the demo users, about 300 records across every kind of the qmsr
profile, their links and signatures, through the same services every face uses. The content
carries a few deliberate gaps (`DemoSummary.gaps`, docs/demo.md) for readiness checks.
"""

from qspine.demo.seed import seed_demo
from qspine.demo.spec import DEMO_PASSWORD, DEMO_USERS, DemoUser
from qspine.demo.summary import DemoSummary, GapView

__all__ = ["DEMO_PASSWORD", "DEMO_USERS", "DemoSummary", "DemoUser", "GapView", "seed_demo"]
