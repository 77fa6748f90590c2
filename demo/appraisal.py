"""The demo's appraisal: a random-sample survey of the street's residents (评社区), and a small
indicator system (the Zhifu model, 3 / 8 / 16) whose leaves come from the statistics, from the
survey's questions and from the street's assessor, so the indicator pages have real figures."""

from __future__ import annotations

from datetime import datetime

from projects.surveys import QuestionDraft
from projects.tables import Assessor, Indicator

SURVEY_TITLE = "鸿城街道居民满意度抽样调查"
SURVEY_DESCRIPTION = "请您为所在社区的服务和环境打分，1分最低，5分最高。问卷不记名，结果只按社区汇总公布。"
QUESTIONS = (  # (key for the tree, prompt); the key None: answered in words
    ("service", "您对社区提供的各项服务满意吗？"),
    ("convenience", "在社区办事方便吗？"),
    ("clean", "您对小区的环境卫生满意吗？"),
    ("safe", "您对小区的治安秩序满意吗？"),
    ("leaders", "您对网格长、楼栋长、单元长的走访和服务满意吗？"),
    (None, "您对社区还有什么意见和建议？"),
)
SUGGESTIONS = ("希望多组织老年人活动", "楼道灯坏了希望尽快修", "垃圾分类点位再多一些", "希望增加助餐服务", "")

# (name, weight, source, statistic or question key, children); each level's weights sum to 100.
TREE = (
    (
        "服务效能",
        40,
        "children",
        None,
        (
            (
                "需求办理",
                50,
                "children",
                None,
                (
                    ("办结率", 50, "statistic", "handled_rate", ()),
                    ("按时办结率", 50, "statistic", "on_time_rate", ()),
                ),
            ),
            (
                "服务质量",
                50,
                "children",
                None,
                (
                    ("服务满意率", 60, "statistic", "satisfaction", ()),
                    ("志愿服务记录规范", 40, "assessment", None, ()),
                ),
            ),
        ),
    ),
    (
        "群众评价",
        35,
        "children",
        None,
        (
            (
                "社区服务",
                40,
                "children",
                None,
                (
                    ("服务满意度", 50, "survey", "service", ()),
                    ("办事便利度", 50, "survey", "convenience", ()),
                ),
            ),
            (
                "居住环境",
                30,
                "children",
                None,
                (("环境卫生", 50, "survey", "clean", ()), ("治安秩序", 50, "survey", "safe", ())),
            ),
            (
                "三长履职",
                30,
                "children",
                None,
                (("居民评价", 60, "survey", "leaders", ()), ("入户走访台账", 40, "assessment", None, ())),
            ),
        ),
    ),
    (
        "基层治理",
        25,
        "children",
        None,
        (
            (
                "网格管理",
                40,
                "children",
                None,
                (
                    ("网格划分与人员配备", 50, "assessment", None, ()),
                    ("民情日志", 50, "assessment", None, ()),
                ),
            ),
            (
                "志愿服务",
                30,
                "children",
                None,
                (
                    ("志愿者队伍建设", 50, "assessment", None, ()),
                    ("时间储蓄落实", 50, "assessment", None, ()),
                ),
            ),
            (
                "议事协商",
                30,
                "children",
                None,
                (("居民议事会", 60, "assessment", None, ()), ("公开公示", 40, "assessment", None, ())),
            ),
        ),
    ),
)
NOTES = ("台账齐全，记录规范", "走访记录完整，问题有回应", "按要求落实，个别记录不全", "制度上墙，执行到位")


def survey_questions() -> list[QuestionDraft]:
    return [QuestionDraft("score" if key else "text", prompt) for key, prompt in QUESTIONS]


async def plant_indicators(questions: dict[str, int]) -> list[int]:
    """Write the tree (configuration, as an admin would in the admin); answers the ids of its
    assessment leaves. ``questions`` maps the survey's keys to its question ids."""
    assessed: list[int] = []

    async def plant(nodes: tuple, parent: int | None) -> None:
        for position, (name, weight, source, what, children) in enumerate(nodes):
            row = Indicator(
                parent=parent,
                name=name,
                weight=weight,
                source=source,
                statistic=what if source == "statistic" else "",
                question=questions[what] if source == "survey" else None,
                position=position,
            )
            inserted = await Indicator.insert(row).returning(Indicator.id)
            if source == "assessment":
                assessed.append(inserted[0]["id"])
            await plant(children, inserted[0]["id"])

    await plant(TREE, None)
    return assessed


async def appoint_assessor(member_id: int, area_id: int, now: datetime) -> None:
    await Assessor.insert(Assessor(member=member_id, area=area_id, created_at=now))
