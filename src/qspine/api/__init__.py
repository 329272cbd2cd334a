"""REST API face (FastAPI) over the services: arrives with the web issue."""
