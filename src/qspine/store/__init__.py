"""Persistence only: tables, engines for SQLite and PostgreSQL, migrations, the blob store."""
