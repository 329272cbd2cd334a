"""Domain core: pure data and rules about records, links, signatures and audit events.

Nothing in here performs I/O or imports another qspine package.
"""
