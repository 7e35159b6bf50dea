"""HTTP API: flask-smorest blueprints (parse -> service -> dump), one commit per request."""
