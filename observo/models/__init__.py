"""SQLAlchemy mappings: the shape of the data, no commits, no HTTP."""

from observo.models.account import ApiToken, User
from observo.models.audit import AuditChainHead, AuditEntry
from observo.models.base import Base
from observo.models.camera import Camera, CameraStatusChange
from observo.models.cell_count import CameraCellCount
from observo.models.import_job import ImportJob
from observo.models.intervention import (
    Intervention,
    InterventionTarget,
    PreservationRequest,
    intervention_organisations,
    intervention_pacts,
)
from observo.models.obstacle import Obstacle
from observo.models.organisation import Organisation, Pact, pact_members
from observo.models.owner import OwnerAccount, OwnerCameraDeclaration
from observo.models.owner_reminder import OwnerReminder
from observo.models.owner_token import OwnerToken
from observo.models.place import Place, PlaceCoverage
from observo.models.preservation_answer import PreservationAnswer

__all__ = [
    "ApiToken",
    "AuditChainHead",
    "AuditEntry",
    "Base",
    "Camera",
    "CameraCellCount",
    "CameraStatusChange",
    "ImportJob",
    "Intervention",
    "InterventionTarget",
    "Obstacle",
    "Organisation",
    "OwnerAccount",
    "OwnerCameraDeclaration",
    "OwnerReminder",
    "OwnerToken",
    "Pact",
    "Place",
    "PlaceCoverage",
    "PreservationAnswer",
    "PreservationRequest",
    "User",
    "intervention_organisations",
    "intervention_pacts",
    "pact_members",
]
