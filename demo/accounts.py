"""The demo's accounts, as DESIGN.md promises them ("Demo accounts"): their phones, their password
and the Open311 client's key, and what `linli demo` prints about each."""

from __future__ import annotations

PASSWORD = "linli-demo"
OPEN311_KEY = "linli-demo-open311"
ADMIN, STAFF, GRID_LEADER, VOLUNTEER, RESIDENT, ENTERPRISE, MERCHANT = (f"1380000000{n}" for n in range(7))
OTHER_STAFF, STREET_STAFF, DISTRICT_STAFF = (f"139000001{n:02d}" for n in range(3))
PINNED = {OTHER_STAFF, STREET_STAFF, DISTRICT_STAFF}  # DESIGN.md's numbers, never given to anyone else

# What DESIGN.md promises, for the CLI to print: phone, role.
ACCOUNTS = (
    (ADMIN, "admin 管理员"),
    (STAFF, "community staff 社区工作者, 幸福里社区"),
    (GRID_LEADER, "grid leader 网格长, 幸福里社区第一网格"),
    (VOLUNTEER, "volunteer 志愿者, 幸福里社区"),
    (RESIDENT, "resident 居民, 幸福里社区1号楼1单元"),
    (ENTERPRISE, "enterprise representative, 安居物业公司"),
    (MERCHANT, "merchant representative, 爱心理发店"),
    (OTHER_STAFF, "community staff 社区工作者, 和平里社区"),
    (STREET_STAFF, "street staff 街道工作人员, 鸿城街道"),
    (DISTRICT_STAFF, "district staff 区工作人员, 南关区"),
    ("13900000000-13900000099", "volunteers living in 幸福里社区"),
)
