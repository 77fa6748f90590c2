"""The ledger as a Piccolo app: its tables and migrations."""

import os

from piccolo.conf.apps import AppConfig

from ledger.tables import Account, Reservation, Transfer

APP_CONFIG = AppConfig(
    app_name="ledger",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[Account, Transfer, Reservation],
    migration_dependencies=[],
    commands=[],
)
