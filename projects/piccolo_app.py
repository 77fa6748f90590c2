"""The community and the loop as a Piccolo app: its tables and migrations."""

import os

from piccolo.conf.apps import AppConfig, table_finder

APP_CONFIG = AppConfig(
    app_name="projects",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=table_finder(
        modules=["projects.tables", "projects.notification_tables"], exclude_imported=True
    ),
    migration_dependencies=["ledger.piccolo_app"],
    commands=[],
)
