"""The Spine facade: wires an engine, a profile and the services together (no logic here)."""

from __future__ import annotations

from pathlib import Path

from qspine.model.profile import Profile
from qspine.profiles import load_profile
from qspine.services.access import AccessService
from qspine.services.audit import AuditService
from qspine.services.baselines import BaselineService
from qspine.services.blobs import BlobService
from qspine.services.context import Policy, SpineContext
from qspine.services.cyber import CyberService
from qspine.services.datasets import DatasetService
from qspine.services.links import LinkService
from qspine.services.lint import LintService
from qspine.services.matrix import MatrixService
from qspine.services.mlflow_import import MlflowImportService
from qspine.services.models import ModelService
from qspine.services.monitoring import MonitoringService
from qspine.services.pccp import PccpService
from qspine.services.readiness import ReadinessService
from qspine.services.records import RecordService
from qspine.services.review import ReviewService
from qspine.services.sbom import SbomService
from qspine.services.signals import SignalService
from qspine.services.signing import SigningService
from qspine.services.summary import SummaryService
from qspine.services.suppliers import SupplierService
from qspine.services.todo import TodoService
from qspine.services.trace import TraceService
from qspine.services.training import TrainingService
from qspine.services.trending import TrendService
from qspine.services.users import UserService
from qspine.services.validation import ValidationService
from qspine.services.vex import VexService
from qspine.services.vulndb import VulnDbService
from qspine.services.worklist import WorklistService
from qspine.settings import Settings
from qspine.store.engine import create_spine_engine
from qspine.store.migrate import migrate


class Spine:
    """One open evidence spine. Faces call its services; each call is one transaction."""

    def __init__(self, context: SpineContext) -> None:
        self.context = context
        self.users = UserService(context)
        self.records = RecordService(context)
        self.links = LinkService(context)
        self.signing = SigningService(context, self.users)
        self.audit = AuditService(context)
        self.blobs = BlobService(context)
        self.summary = SummaryService(context)
        self.access = AccessService(context, self.users)
        self.worklist = WorklistService(context)
        self.trace = TraceService(context, self.users)
        self.matrices = MatrixService(context, self.users)
        self.baselines = BaselineService(context, self.users, self.records)
        self.signals = SignalService(context, self.users)
        self.training = TrainingService(context, self.users)
        self.todo = TodoService(context, self.users, self.worklist)
        self.trends = TrendService(context, self.users)
        self.reviews = ReviewService(context, self.users, self.records)
        self.suppliers = SupplierService(context, self.users)
        self.lint = LintService(context, self.users)
        self.sbom = SbomService(context, self.users, self.blobs)
        self.validation = ValidationService(context, self.users, self.blobs)
        self.datasets = DatasetService(context, self.users, self.blobs)
        self.cyber = CyberService(context, self.users, self.matrices)
        self.vulndb = VulnDbService(context, self.users)
        self.vex = VexService(context, self.users, self.signing)
        self.readiness = ReadinessService(context, self.users, self.signals.follow)
        self.pccp = PccpService(context, self.users)
        self.mlflow = MlflowImportService(context, self.users, self.blobs)
        self.monitoring = MonitoringService(context, self.users, self.blobs)
        self.models = ModelService(context, self.users, self.blobs)

    @property
    def profile(self) -> Profile:
        return self.context.profile

    def close(self) -> None:
        self.context.engine.dispose()

    def __enter__(self) -> Spine:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def open_spine(
    database_url: str | None = None,
    profile: str | Path | Profile | None = None,
    settings: Settings | None = None,
) -> Spine:
    """Open (and, when needed, create or migrate) the spine at `database_url`."""
    settings = settings or Settings()
    url = database_url or settings.database_url
    if database_url is not None:
        settings = settings.model_copy(update={"database_url": database_url})
    loaded = profile if isinstance(profile, Profile) else load_profile(profile or settings.profile)
    engine = create_spine_engine(url)
    try:
        migrate(engine)
    except BaseException:
        engine.dispose()
        raise
    policy = Policy(
        lockout_attempts=settings.lockout_attempts,
        lockout_minutes=settings.lockout_minutes,
        min_password_length=settings.min_password_length,
        session_idle_minutes=settings.session_idle_minutes,
        hash_time_cost=settings.hash_time_cost,
        hash_memory_kib=settings.hash_memory_kib,
    )
    context = SpineContext(
        engine=engine, profile=loaded, blob_dir=settings.resolved_blob_dir(), policy=policy
    )
    return Spine(context)
