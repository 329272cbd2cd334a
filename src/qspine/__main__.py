"""`python -m qspine`."""

import sys

from qspine.cli.main import run

sys.exit(run())
