"""The web pages (issue 6): server-rendered Jinja2 in Chinese and English, plain forms with
POST-redirect-GET, a session cookie carrying a sign-in token, CSRF on every form.

``web.app`` mounts ``ROUTER``, ``TEMPLATES``, ``CSRF`` and ``STATIC`` and runs ``startup``.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from litestar import Litestar, Router
from litestar.config.csrf import CSRFConfig
from litestar.di import Provide
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template import TemplateConfig

from market import limits as market_limits
from projects import limits as projects_limits
from projects.signin import shared_secret
from settings import SECRET_KEY
from web.pages.account import AccountPages
from web.pages.catalogue import CataloguePages, ProviderPages, RedemptionPages
from web.pages.certificates import CertificatePages
from web.pages.desk import DeskPages, ResourcePages
from web.pages.evaluation import EvaluationPages, RecognitionPages
from web.pages.exchange import ExchangePages, GiftPages
from web.pages.fund import FundPages
from web.pages.indicators import IndicatorPages
from web.pages.needs import NeedPages
from web.pages.organisation import OrganisationPages, ProjectPages
from web.pages.photos import PhotoPages
from web.pages.profile import OutletPages, ProfilePages, RegistrationPages
from web.pages.session import CSRF_COOKIE, provide_page_actor, provide_viewer
from web.pages.stats import StatsPages
from web.pages.surveys import SurveyPages
from web.pages.templates import environment
from web.pages.ventures import CallPages
from web.pages.work import ClaimPages, TaskPages, VolunteerPages

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
UNSET = "linli: the secret is read at start-up"

# The pages' "actor" is the member of the session cookie (the API's is the bearer token's).
ROUTER = Router(
    path="/",
    route_handlers=[
        AccountPages,
        NeedPages,
        TaskPages,
        ClaimPages,
        PhotoPages,
        VolunteerPages,
        DeskPages,
        ResourcePages,
        OrganisationPages,
        ProjectPages,
        CallPages,
        CataloguePages,
        RedemptionPages,
        ProviderPages,
        ExchangePages,
        GiftPages,
        FundPages,
        EvaluationPages,
        RecognitionPages,
        SurveyPages,
        CertificatePages,
        StatsPages,
        IndicatorPages,
        ProfilePages,
        RegistrationPages,
        OutletPages,
    ],
    dependencies={"viewer": Provide(provide_viewer), "actor": Provide(provide_page_actor)},
    include_in_schema=False,
)

STATIC = create_static_files_router(path="/static", directories=[STATIC_DIR], include_in_schema=False)


def template_config() -> TemplateConfig:
    env = environment()
    # A form's maxlength and max are the domain's own limits, the ones the request models read.
    env.globals.update(limits=projects_limits, market_limits=market_limits)
    return TemplateConfig(instance=JinjaTemplateEngine.from_environment(env))


def csrf_config(*, https: bool = False) -> CSRFConfig:
    """Double-submit CSRF tokens for every form; the JSON API (bearer tokens, no cookies) is left
    out. The secret is set by ``startup``: LINLI_SECRET_KEY, else the one kept in the database,
    so that every process accepts the tokens of the others. The cookie is Secure with
    LINLI_HTTPS=1 (and over any https request: ``web.headers``); sign-in gives a new token."""
    return CSRFConfig(
        secret=UNSET,
        cookie_name=CSRF_COOKIE,
        cookie_secure=https,
        cookie_httponly=True,
        cookie_samesite="lax",
        exclude=[
            "^/api/",
            "^/schema",
            "^/health",
            "^/static/",
            "^/admin",
            "^/open311/",
        ],  # Piccolo Admin has its own
    )


def startup(csrf: CSRFConfig):
    @contextlib.asynccontextmanager
    async def read_secret(app: Litestar) -> AsyncIterator[None]:
        secret = SECRET_KEY.read() or await shared_secret()
        csrf.secret = secret
        app.state.secret_key = secret
        yield

    return read_secret
