"""SQLAlchemy mappings: the shape of the data, no commits, no HTTP."""

from observo.models.account import ApiToken, User
from observo.models.audit import AuditChainHead, AuditEntry
from observo.models.base import Base
from observo.models.camera import Camera, CameraStatusChange
from observo.models.organisation import Organisation, Pact, pact_members

__all__ = [
    "ApiToken",
    "AuditChainHead",
    "AuditEntry",
    "Base",
    "Camera",
    "CameraStatusChange",
    "Organisation",
    "Pact",
    "User",
    "pact_members",
]
