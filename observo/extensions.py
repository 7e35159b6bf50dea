"""Unbound Flask extensions: created here, bound to an app in create_app()."""

from __future__ import annotations

from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from observo.api.problem_api import ProblemApi
from observo.models.base import Base
from observo.web.rate_limits import RateLimits

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
api = ProblemApi()
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = RateLimits()
babel = Babel()
