"""What every service needs: the engine, the profile, policy numbers and a clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import Engine

from qspine.model.profile import Profile


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class Policy:
    """Security policy numbers (21 CFR 11.300): lock-out and password rules."""

    lockout_attempts: int = 5
    lockout_minutes: int = 15
    min_password_length: int = 10
    session_idle_minutes: int = 30
    # argon2id cost (RFC 9106 "second recommended" by default); tests may lower it.
    hash_time_cost: int = 3
    hash_memory_kib: int = 65536


@dataclass
class SpineContext:
    """Shared by the services of one open spine; holds no request state."""

    engine: Engine
    profile: Profile
    blob_dir: Path
    policy: Policy = field(default_factory=Policy)
    clock: Callable[[], dt.datetime] = utc_now
