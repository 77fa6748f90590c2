"""The JSON API under /api/v1 (DESIGN.md, "Interfaces"): one controller per resource; Open311
GeoReport v2 under /open311/v2; and the photos' images under /photos."""

from web.api.auth import AuthController
from web.api.catalogue import CatalogueController, CommunityPointsController, RedemptionController
from web.api.certificates import CertificateController
from web.api.community import (
    AreaController,
    CategoryController,
    GradeController,
    IssuanceController,
    OrganisationController,
    ResourceController,
)
from web.api.evaluation import EvaluationController, LeaderRatingController, RecognitionController
from web.api.exchange import (
    DonationController,
    DonationPhotoFileController,
    ExchangeController,
    FundController,
    GiftController,
    ListingController,
)
from web.api.indicators import IndicatorController
from web.api.me import MeController
from web.api.needs import NeedController, SupervisionController
from web.api.photos import (
    ClaimPhotoController,
    NeedPhotoController,
    PhotoController,
    PhotoFileController,
)
from web.api.projects import ProjectController, RatingController
from web.api.registrations import MyRegistrationController, PasswordResetController, RegistrationController
from web.api.stats import ExportController, StatsController
from web.api.surveys import SurveyController
from web.api.tasks import ClaimController, TaskController
from web.api.ventures import VENTURE_CONTROLLERS
from web.open311 import Open311Controller

CONTROLLERS = [
    AuthController,
    MeController,
    MyRegistrationController,
    RegistrationController,
    PasswordResetController,
    CategoryController,
    GradeController,
    IssuanceController,
    AreaController,
    OrganisationController,
    ResourceController,
    NeedController,
    SupervisionController,
    IndicatorController,
    TaskController,
    ClaimController,
    NeedPhotoController,
    ClaimPhotoController,
    PhotoController,
    PhotoFileController,
    ProjectController,
    RatingController,
    LeaderRatingController,
    EvaluationController,
    RecognitionController,
    SurveyController,
    CertificateController,
    CatalogueController,
    RedemptionController,
    CommunityPointsController,
    ListingController,
    ExchangeController,
    GiftController,
    FundController,
    DonationController,
    DonationPhotoFileController,
    *VENTURE_CONTROLLERS,
    StatsController,
    ExportController,
    Open311Controller,
]
