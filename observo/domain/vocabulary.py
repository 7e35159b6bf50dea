"""Controlled vocabularies of the data model, shared by schemas and database constraints
(docs/architecture.md, "Conventions").

Values follow OpenStreetMap's surveillance tagging where one exists.
"""

from __future__ import annotations

ORGANISATION_KINDS = ("municipality", "local_police", "state_police", "carabinieri", "public_body", "private")
STATE_FORCE_KINDS = ("state_police", "carabinieri")
PUBLIC_BODY_KINDS = ("municipality", "local_police", "state_police", "carabinieri", "public_body")
ROLES = ("admin", "editor", "viewer")

SOURCES = ("census", "owner_registration", "osm_import", "csv_import", "api")
MOUNTS = ("wall", "pole", "ceiling", "street_lamp", "building", "traffic_signal", "gantry", "other")
SURVEILLANCE_TYPES = ("camera", "alpr")
CAMERA_TYPES = ("fixed", "dome", "panning", "panorama", "thermal")
AREA_CLASSES = ("public", "outdoor", "indoor")
ZONES = (
    "town",
    "traffic",
    "parking",
    "shop",
    "bank",
    "building",
    "entrance",
    "park",
    "public_transport",
    "school",
    "other",
)
FOV_METHODS = ("computed", "drawn", "occluded")
PURPOSES = ("urban_security", "traffic", "ztl_access", "environmental", "property_protection", "other")
SIGNAGE = ("present", "absent", "unknown")
STATUSES = ("planned", "active", "faulty", "inactive", "decommissioned")
VERIFICATIONS = ("unverified", "owner_confirmed", "surveyed", "disputed")
VISIBILITIES = ("public", "shared", "private")

# Camera types whose head sees or turns all round (a PTZ can point anywhere): default hfov 360.
ALL_ROUND_TYPES = ("dome", "panorama", "panning")

# Coordinated interventions (issue 6).
INTERVENTION_KINDS = ("proximity_patrol", "mobile_office", "event", "investigation", "other")
INTERVENTION_STATUSES = ("draft", "planned", "active", "closed")
PRESERVATION_CHANNELS = ("pec", "email", "phone", "in_person", "letter", "other")
PRESERVATION_STATUSES = ("pending", "preserved", "refused", "expired")
# Sensitive places a municipality registers to follow their coverage over time.
PLACE_CATEGORIES = (
    "school",
    "park",
    "playground",
    "square",
    "station",
    "market",
    "place_of_worship",
    "hospital",
    "sports",
    "other",
)

# Things that block a camera's view (issue 20): footprints of buildings, and walls (OSM barrier=wall).
OBSTACLE_KINDS = ("building", "wall")
