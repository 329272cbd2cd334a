"""Tests of the web face (server-rendered pages, forms, a real browser)."""
