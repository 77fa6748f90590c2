"""The default need categories: the 8 top categories of the seeds' "需求清单" and their children,
in Chinese and English, with points per hour. Staff change them later; this only seeds them."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder
from piccolo.querystring import QueryString

ID = "2026-12-01T02:10:00"
VERSION = "1.38.0"
DESCRIPTION = "projects: default categories"

# code, parent, name, name_en, points per hour
CATEGORIES = [
    ("emergency", None, "应急救助", "Emergency help", 20),
    ("emergency.repair", "emergency", "紧急抢修", "Urgent repairs", 20),
    ("emergency.medical", "emergency", "突发就医协助", "Sudden illness help", 20),
    ("convenience", None, "便民服务", "Convenience services", 10),
    ("convenience.errands", "convenience", "代买代办", "Errands", 10),
    ("convenience.appliances", "convenience", "家电维修", "Appliance repair", 10),
    ("convenience.haircut", "convenience", "义剪理发", "Free haircuts", 10),
    ("volunteer", None, "志愿服务", "Volunteer services", 10),
    ("volunteer.patrol", "volunteer", "平安巡逻", "Safety patrols", 10),
    ("volunteer.events", "volunteer", "社区活动", "Community events", 10),
    ("culture", None, "文教卫生", "Culture, education and health", 10),
    ("culture.tutoring", "culture", "课业辅导", "Homework help", 10),
    ("culture.health", "culture", "健康义诊", "Health checks", 10),
    ("culture.talks", "culture", "宣传讲座", "Talks and campaigns", 10),
    ("environment", None, "人居环境", "Living environment", 10),
    ("environment.cleaning", "environment", "环境清扫", "Cleaning", 10),
    ("environment.sorting", "environment", "垃圾分类", "Waste sorting", 10),
    ("environment.greening", "environment", "绿化美化", "Greening", 10),
    ("construction", None, "城市建设", "Urban construction", 10),
    ("construction.facilities", "construction", "设施维护", "Facility upkeep", 10),
    ("construction.lighting", "construction", "道路照明", "Roads and lighting", 10),
    ("mediation", None, "矛盾调解", "Civil mediation", 15),
    ("mediation.neighbours", "mediation", "邻里纠纷", "Disputes between neighbours", 15),
    ("mediation.property", "mediation", "物业纠纷", "Property management disputes", 15),
    ("care", None, "助老助残", "Elderly and disability care", 15),
    ("care.elderly", "care", "助老服务", "Help for elders", 15),
    ("care.meals", "care", "助餐送餐", "Meals and delivery", 15),
    ("care.escort", "care", "陪同就医", "Hospital escort", 15),
    ("care.disability", "care", "助残服务", "Help for the disabled", 15),
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="projects", description=DESCRIPTION)

    async def seed():
        engine = engine_finder()
        for position, (code, parent, name, name_en, rate) in enumerate(CATEGORIES):
            await engine.run_querystring(
                QueryString(
                    "INSERT INTO projects_category (code, parent, name, name_en, points_per_hour, position) "
                    "VALUES ({}, {}, {}, {}, {}, {})",
                    code,
                    parent,
                    name,
                    name_en,
                    rate,
                    position,
                )
            )

    manager.add_raw(seed)
    return manager
