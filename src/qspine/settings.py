"""Settings: one table of name, default and help; from the environment (QSPINE_*) or flags."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url


class Settings(BaseSettings):
    """Every setting QSpine reads. Environment variables are QSPINE_<NAME>."""

    model_config = SettingsConfigDict(env_prefix="QSPINE_", extra="ignore")

    database_url: str = Field(
        "sqlite:///qspine.db",
        description="SQLAlchemy URL of the spine: sqlite:///FILE or postgresql+psycopg://...",
    )
    profile: str = Field(
        "qmsr", description="Profile: the built-in name 'qmsr' or a path to a profile YAML file"
    )
    blob_dir: Path | None = Field(
        None,
        description="Folder of the content-addressed file store; default: beside the SQLite "
        "file (NAME.blobs), or ./qspine-blobs for a server database",
    )
    lockout_attempts: int = Field(5, description="Failed authentications before a lock-out")
    lockout_minutes: int = Field(15, description="Minutes an account stays locked")
    min_password_length: int = Field(10, description="Shortest password accepted")
    session_idle_minutes: int = Field(
        30, description="Minutes of inactivity after which a web session ends"
    )
    hash_time_cost: int = Field(3, description="argon2id iterations for password hashes")
    hash_memory_kib: int = Field(65536, description="argon2id memory (KiB) for password hashes")

    def resolved_blob_dir(self) -> Path:
        if self.blob_dir is not None:
            return self.blob_dir
        url = make_url(self.database_url)
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            database = Path(str(url.database))
            return database.with_name(database.name + ".blobs")
        return Path("qspine-blobs")
