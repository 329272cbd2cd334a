"""QSpine: the quality evidence spine for medical-device makers (QMSR, ISO 13485, Part 11)."""

from qspine.model.errors import (
    AuthenticationFailed,
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    ProfileError,
    QSpineError,
)
from qspine.profiles import load_profile
from qspine.services.links import NewLink
from qspine.services.records import NewRecord
from qspine.settings import Settings
from qspine.spine import Spine, open_spine

__version__ = "0.1.0"

__all__ = [
    "AuthenticationFailed",
    "Conflict",
    "Forbidden",
    "InvalidInput",
    "NewLink",
    "NewRecord",
    "NotFound",
    "ProfileError",
    "QSpineError",
    "Settings",
    "Spine",
    "__version__",
    "load_profile",
    "open_spine",
]
