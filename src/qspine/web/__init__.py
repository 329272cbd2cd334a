"""Web face: server-rendered Jinja2 pages (+ htmx) over the same services as the CLI and API.

Each page is one data function (service calls only) and one template; the same data is
available as JSON (`?format=json`). Routes live in `pages_*.py`, assembled by `routes.py`.
"""
