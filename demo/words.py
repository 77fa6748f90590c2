"""What the demo street's people say and write, in Chinese as the street writes it: needs and the
tasks that answer them, service projects, reasons, notes and comments."""

from __future__ import annotations

PREFERRED_TIMES = ("周六上午", "工作日下午", "尽快", "晚饭后", "工作日上午")
LANDMARKS = ("小区东门岗亭旁", "北侧车棚", "中心花园", "2号楼与3号楼之间", "垃圾分类站旁")

# category, what the resident says, the task's title
PERSONAL = (
    ("care.meals", "独居老人行动不便，希望每天中午有人送餐上门", "为独居老人送午餐"),
    ("care.escort", "下周要去医院复查，子女在外地，需要有人陪同就医", "陪同老人去医院复查"),
    ("convenience.appliances", "家里热水器打不着火，老人自己不会修", "上门检修热水器"),
    ("convenience.errands", "腿脚不便，请人帮忙代买米面油", "代买米面油送上门"),
    ("convenience.haircut", "卧床老人需要上门理发", "上门为卧床老人理发"),
    ("care.elderly", "高龄独居老人，希望有人定期上门探访、聊聊天", "探访高龄独居老人"),
    ("care.disability", "家里有残疾人，想申请轮椅，需要有人帮忙跑手续", "协助办理轮椅申领"),
    ("culture.tutoring", "双职工家庭，孩子放学后没人辅导作业", "放学后作业辅导"),
    ("emergency.repair", "厨房水管爆裂，家里积水", "紧急抢修爆裂水管"),
    ("emergency.medical", "独居老人夜里突发头晕，需要有人帮忙送医", "护送突发不适老人就医"),
    ("mediation.neighbours", "楼上漏水渗到我家天花板，和邻居说不通", "调解楼上漏水纠纷"),
    ("convenience.errands", "想学用智能手机挂号、视频通话", "教老人使用智能手机"),
    ("care.meals", "老伴住院，家里没人做饭，需要助餐服务", "助餐送餐上门"),
    ("environment.cleaning", "老人独居，家里卫生打扫不动了", "上门帮老人打扫卫生"),
    ("convenience.appliances", "家里电视没信号，洗衣机也不转了", "上门维修家电"),
)
COMMON = (
    ("construction.lighting", "{building}门前路灯坏了一个多月，晚上出行不安全", "更换{building}门前路灯"),
    ("environment.cleaning", "{building}楼道堆放杂物，堵住了消防通道", "清理{building}楼道杂物"),
    ("environment.sorting", "小区垃圾分类投放点经常满溢，气味很大", "垃圾分类投放点督导"),
    ("construction.facilities", "{building}单元门禁坏了，陌生人随意进出", "维修{building}单元门禁"),
    ("environment.greening", "{building}前的绿地荒着，居民想种些花草", "{building}前绿地补种花草"),
    ("volunteer.patrol", "夜里小区有陌生人徘徊，希望组织平安巡逻", "夜间平安巡逻"),
    ("culture.talks", "不少老人接到诈骗电话，希望开展反诈宣传", "反诈宣传进楼栋"),
    ("culture.health", "希望社区组织老年人免费量血压、测血糖", "老年人健康义诊"),
    ("construction.facilities", "小区健身器材损坏，存在安全隐患", "维修小区健身器材"),
)
EVENTS = (  # tasks of their own, published to the open pool
    ("environment.cleaning", "周末环境清扫志愿活动", "清扫小区公共区域、捡拾垃圾，请自带手套"),
    ("volunteer.patrol", "平安巡逻志愿者招募", "晚7点至9点在小区内巡逻，留意陌生人和安全隐患"),
    ("environment.sorting", "垃圾分类桶边督导", "早晚投放高峰在投放点指导居民分类"),
    ("culture.health", "健康义诊志愿服务", "协助社区卫生服务站为老人量血压、测血糖"),
    ("volunteer.events", "社区文艺汇演志愿者", "布置场地、引导座位、维持秩序"),
    ("culture.talks", "反诈宣传入户志愿者", "入户发放反诈宣传材料，帮老人安装反诈App"),
)
BEYOND_COMMUNITY = (  # needs that only the street can settle
    (
        "construction.facilities",
        "小区二次供水水泵老化，高层经常停水，需要协调供水公司",
        "协调更换二次供水水泵",
    ),
    ("construction.lighting", "小区外市政道路坑洼积水，雨天无法通行", "协调修补市政道路"),
    ("mediation.property", "原物业撤场，小区没人管理，垃圾无人清运", "协调引入新物业并清运垃圾"),
)
PROJECTS = (
    (
        "老旧楼道清理改造服务项目",
        "清理{community}各楼栋楼道堆物，修补破损扶手，张贴消防安全提示",
        "物业公司出人出车清运，志愿者分楼栋入户动员，网格长验收",
        ("environment.cleaning", "楼道堆放杂物，堵住了消防通道"),
    ),
    (
        "\u201c一老一小\u201d关爱服务项目",
        "为高龄独居老人定期探访，为双职工家庭孩子提供课后托管",
        "社工机构牵头，志愿者结对，每周服务两次，每月公示服务台账",
        ("care.elderly", "独居老人多，希望有人定期探访"),
    ),
    (
        "适老化改造服务项目",
        "为老旧楼栋加装楼道扶手和夜间感应灯",
        "居民议事会协商确定点位，招募单位认领施工，完工后居民评议",
        ("construction.facilities", "老楼没有扶手，老人上下楼很危险"),
    ),
    (
        "垃圾分类示范小区项目",
        "打造{community}垃圾分类示范小区，定时定点投放，桶边督导",
        "志愿服务队排班督导，每月评选文明家庭",
        ("environment.sorting", "垃圾分类投放点经常满溢，气味很大"),
    ),
)
MILESTONES = ("入户动员和方案公示", "集中实施", "居民验收和评议")
PROGRESS = (
    "已召开居民协商会，确定实施方案",
    "已完成第一批楼栋，居民反映良好",
    "志愿者分组入户，已走访过半住户",
    "材料已采购到位，下周集中施工",
)
NEED_PROGRESS = ("已联系相关单位现场查看", "已制定处理方案，正在协调实施", "本月已按计划完成一轮服务")
REJECTIONS = (
    "属于家庭内部事务，已电话沟通并给出建议",
    "属于物业合同范围，已转告物业公司处理",
    "经核实情况不属实",
)
CANCELLATIONS = ("已经自行解决了", "家里人回来了，不需要了", "")
DECLINES = ("这几天出差在外，无法前往", "时间冲突，请安排其他志愿者")
WITHDRAWALS = ("临时有事去不了了", "身体不舒服，请换人")
DISPUTES = (("实际服务时间没有这么长", 45), ("只来了一会儿就走了", None))
NOTES = ("已完成，老人很满意", "按时完成", "已处理好，留了联系方式", "顺利完成，拍照存档")
# What residents say, by the score they give: praise with five stars, a complaint with two.
COMMENTS = {
    5: ("服务很热心，谢谢！", "来得很及时", "非常满意", "态度好，很专业", ""),
    4: ("挺好的，谢谢", "整体满意", "服务不错", ""),
    3: ("还可以，就是来晚了一点", "一般，希望下次更细心", ""),
    2: ("来晚了一个多小时，也没提前说", "活没干完就走了", ""),
}
RESOURCE_COMMENTS = ("方便实惠", "服务周到", "离家近，很方便", "价格公道", "")
LEADER_COMMENTS = ("经常上门走访", "有事找他很快就办", "热心负责", "联系不太方便", "")
