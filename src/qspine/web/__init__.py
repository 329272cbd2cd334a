"""Web face (Jinja2 + htmx) over the services: arrives with the web issue."""
