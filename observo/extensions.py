"""Unbound Flask extensions: created here, bound to an app in create_app().

The API (`http.problem_api.api`) and the rate limiter (`http.rate_limits.limiter`) live with the
HTTP plumbing they extend: this module sits below every layer that uses `db` and imports none of them
(docs/architecture.md, "Layers").
"""

from __future__ import annotations

from typing import Any

from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session as FlaskSession
from flask_wtf import CSRFProtect

from observo.models.base import Base
from observo.spatial.replicas import read_engine


class RoutingSession(FlaskSession):
    """Flask-SQLAlchemy's session, sending a routed request's statements to its replica
    (observo/spatial/replicas.py; http/read_routing.py decides)."""

    def get_bind(self, mapper: Any = None, clause: Any = None, bind: Any = None, **kwargs: Any) -> Any:
        engine = read_engine.get()
        if engine is not None and bind is None:
            return engine
        return super().get_bind(mapper, clause=clause, bind=bind, **kwargs)


db = SQLAlchemy(model_class=Base, session_options={"class_": RoutingSession})
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
