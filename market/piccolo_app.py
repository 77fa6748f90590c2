"""The market as a Piccolo app: its tables and migrations."""

import os

from piccolo.conf.apps import AppConfig, table_finder

APP_CONFIG = AppConfig(
    app_name="market",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=table_finder(modules=["market.tables"], exclude_imported=True),
    migration_dependencies=["projects.piccolo_app"],
    commands=[],
)
