"""Demo device."""


def seed_demo(spine):
    raise SystemExit("not yet")
