"""Piccolo's configuration: the database engine (from LINLI_DATABASE_URL) and Linli's apps."""

from piccolo.conf.apps import AppRegistry

from ledger.engine import engine_from_url

DB = engine_from_url()

APP_REGISTRY = AppRegistry(
    apps=[
        "ledger.piccolo_app",
        "projects.piccolo_app",
        "market.piccolo_app",
        # Piccolo Admin's users and sessions (web/admin.py).
        "piccolo.apps.user.piccolo_app",
        "piccolo_api.session_auth.piccolo_app",
    ]
)


def use(engine) -> None:
    """Point Piccolo and every table of every app at ``engine`` (tests, benchmarks, CLI --database)."""
    from piccolo.apps.migrations.tables import Migration

    global DB
    DB = engine
    Migration._meta.db = engine
    for app in APP_REGISTRY.app_configs.values():
        for table in app.table_classes:
            table._meta.db = engine
