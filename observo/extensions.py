"""Unbound Flask extensions: created here, bound to an app in create_app()."""

from __future__ import annotations

from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from observo.api.problem_api import ProblemApi
from observo.models.base import Base
from observo.spatial.replicas import RoutingSession
from observo.web.rate_limits import RateLimits

# RoutingSession: a request's reads may go to a replica (observo/spatial/replicas.py).
db = SQLAlchemy(model_class=Base, session_options={"class_": RoutingSession})
migrate = Migrate()
api = ProblemApi()
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = RateLimits()
babel = Babel()
