"""The bilingual glossary of the project-management terms Tandem uses, as data.

Each term is shown in both languages side by side whatever the reader's language, so a client who
reads Chinese learns the English word the team may use, and the other way round. Pages link a term
to its entry with ``{% term "baseline" %}`` (``web/templatetags/onboarding_ui.py``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    """One glossary entry: its key (the anchor), the term and its definition in Chinese and English."""

    key: str
    zh: str
    en: str
    zh_definition: str
    en_definition: str

    @property
    def anchor(self) -> str:
        """The id of the entry on the glossary page."""
        return f"term-{self.key}"

    def matches(self, query: str) -> bool:
        """Whether ``query`` occurs in the term or its definition, in either language (any case)."""
        needle = query.strip().casefold()
        return not needle or any(
            needle in text.casefold()
            for text in (self.key, self.zh, self.en, self.zh_definition, self.en_definition)
        )


TERMS: tuple[Term, ...] = (
    Term(
        "baseline",
        "基线",
        "Baseline",
        "经批准的计划快照(范围、进度和成本)。之后的实际进展都与它比较;只有经批准的变更才能重新设定基线。",
        "The approved snapshot of the plan (scope, schedule and cost). Progress is measured against it; "
        "only an approved change sets a new baseline.",
    ),
    Term(
        "critical_path",
        "关键路径",
        "Critical path",
        "决定项目最早完成日期的一串任务。其中任一任务延误,整个项目就会延误。",
        "The chain of tasks that sets the earliest finish of the project: a delay to any of them delays "
        "the project.",
    ),
    Term(
        "float",
        "浮动时间",
        "Float (slack)",
        "任务可以推迟而不影响项目完成日期的时间。关键路径上的任务浮动时间为零。",
        "How long a task can slip without delaying the project's finish. Tasks on the critical path have "
        "none.",
    ),
    Term(
        "milestone",
        "里程碑",
        "Milestone",
        "标志一个重要时点的零工期事件,例如一个阶段结束或一项交付物验收。",
        "A zero-duration event marking an important moment, such as the end of a phase or the acceptance "
        "of a deliverable.",
    ),
    Term(
        "wbs",
        "工作分解结构",
        "Work breakdown structure (WBS)",
        "把项目的全部工作逐层分解为可管理的工作包的层级结构。",
        "The hierarchy that breaks the whole work of the project down, level by level, into manageable work "
        "packages.",
    ),
    Term(
        "change_request",
        "变更请求",
        "Change request",
        "对已商定的范围、进度或成本提出修改的正式请求。Tandem 在决策前计算它对进度和成本的影响。",
        "A formal request to alter the agreed scope, schedule or cost. Tandem computes its schedule and cost "
        "impact before anyone decides.",
    ),
    Term(
        "scope_creep",
        "范围蔓延",
        "Scope creep",
        "未经变更控制、不知不觉扩大的项目范围,常导致延期和超支。",
        "Growth of the project's scope without change control, which often leads to delays and overruns.",
    ),
    Term(
        "requirement",
        "需求",
        "Requirement",
        "交付物必须满足的条件或能力。客户确认需求的每个版本。",
        "A condition or capability a deliverable must meet. The client confirms each version of a "
        "requirement.",
    ),
    Term(
        "charter",
        "项目章程",
        "Project charter",
        "正式授权项目的文件:目标、范围、预算、干系人和交付物。客户确认它的每次修订。",
        "The document that authorises the project: goals, scope, budget, stakeholders and deliverables. The "
        "client confirms each revision.",
    ),
    Term(
        "stakeholder",
        "干系人",
        "Stakeholder",
        "影响项目或受项目影响的个人或团体,双方都有。",
        "A person or group who affects or is affected by the project, on either side.",
    ),
    Term(
        "raci",
        "RACI 矩阵",
        "RACI matrix",
        "说明每项交付物由谁负责(R)、谁最终负责(A)、咨询谁(C)、告知谁(I)的表格。",
        "The table that says, for each deliverable, who is Responsible, who is Accountable, who is Consulted "
        "and who is Informed.",
    ),
    Term(
        "decision_rights",
        "决策权",
        "Decision rights",
        "本项目中哪些角色有权做出哪类决定(确认章程、批准变更、验收交付物等)。",
        "Which roles of this project may take which kind of decision (confirm the charter, approve a change, "
        "accept a deliverable…).",
    ),
    Term(
        "acceptance",
        "验收",
        "Acceptance",
        "客户依据验收标准正式确认交付物合格并签署。",
        "The client's formal confirmation, against the acceptance criteria, that a deliverable is fit, with "
        "their signature.",
    ),
    Term(
        "acceptance_criteria",
        "验收标准",
        "Acceptance criteria",
        "交付物被接受前必须满足的、可检验的条件。",
        "The testable conditions a deliverable must meet before it is accepted.",
    ),
    Term(
        "risk",
        "风险",
        "Risk",
        "可能发生、一旦发生会影响项目目标的不确定事件。按概率和影响评分。",
        "An uncertain event that, if it happens, affects the project's objectives. Scored by probability and "
        "impact.",
    ),
    Term(
        "issue",
        "问题",
        "Issue",
        "已经发生、需要处理的问题。风险发生后就成为问题。",
        "A problem that has happened and needs handling. A risk that occurs becomes an issue.",
    ),
    Term(
        "earned_value",
        "挣值",
        "Earned value (EV)",
        "到目前为止已完成工作的预算价值,用来同时衡量进度和成本绩效。",
        "The budgeted value of the work done so far; it measures schedule and cost performance together.",
    ),
    Term(
        "planned_value",
        "计划值",
        "Planned value (PV)",
        "按基线到某一日期应完成工作的预算价值。",
        "The budgeted value of the work the baseline planned to be done by a date.",
    ),
    Term(
        "actual_cost",
        "实际成本",
        "Actual cost (AC)",
        "到某一日期为已完成工作实际花费的成本。",
        "What the work done by a date has actually cost.",
    ),
    Term(
        "spi",
        "进度绩效指数",
        "Schedule performance index (SPI)",
        "SPI = EV ÷ PV。小于 1 表示进度落后于基线。",
        "SPI = EV ÷ PV. Below 1 means behind the baseline schedule.",
    ),
    Term(
        "cpi",
        "成本绩效指数",
        "Cost performance index (CPI)",
        "CPI = EV ÷ AC。小于 1 表示花费超过了所完成工作的价值。",
        "CPI = EV ÷ AC. Below 1 means the work done cost more than it was worth.",
    ),
    Term(
        "budget_at_completion",
        "完工预算",
        "Budget at completion (BAC)",
        "项目全部工作的批准预算总额。",
        "The total approved budget for all the work of the project.",
    ),
    Term(
        "estimate_at_completion",
        "完工估算",
        "Estimate at completion (EAC)",
        "按目前绩效预计项目完成时的总成本。",
        "The expected total cost at completion, given the performance so far.",
    ),
    Term(
        "status_report",
        "状态报告",
        "Status report",
        "定期发给干系人的项目现状:进度、成本、风险、问题和需要的决定。",
        "The regular account of the project to its stakeholders: schedule, cost, risks, issues and the "
        "decisions needed.",
    ),
    Term(
        "communication_plan",
        "沟通计划",
        "Communication plan",
        "约定向谁、通过什么渠道、多久一次、由谁传达什么信息。",
        "The agreement on what is told to whom, through which channel, how often and by whom.",
    ),
    Term(
        "escalation",
        "升级",
        "Escalation",
        "在本层级无法解决时,把问题或决定提交给更高一级的负责人。",
        "Taking a problem or decision to the next level of authority when it cannot be settled where it is.",
    ),
    Term(
        "sponsor",
        "项目发起人",
        "Sponsor",
        "客户方为项目提供资金和支持、做出重大决定的高层负责人。",
        "The client's senior person who funds and backs the project and takes its major decisions.",
    ),
    Term(
        "kpi",
        "关键绩效指标",
        "Key performance indicator (KPI)",
        "衡量项目是否达成目标的可量化指标,带有目标值和预警阈值。",
        "A measurable indicator of whether the project meets its goals, with a target and warning "
        "thresholds.",
    ),
    Term(
        "csat",
        "客户满意度",
        "Customer satisfaction (CSAT)",
        "1–5 分评价中给出 4 或 5 分的比例。",
        "The share of answers of 4 or 5 on a 1–5 scale.",
    ),
    Term(
        "nps",
        "净推荐值",
        "Net promoter score (NPS)",
        "推荐者(9–10 分)的百分比减去贬损者(0–6 分)的百分比。",
        "The percentage of promoters (9–10) minus the percentage of detractors (0–6).",
    ),
    Term(
        "uat",
        "用户验收测试",
        "User acceptance testing (UAT)",
        "客户在验收前,用真实场景测试交付物是否满足需求。",
        "The client's testing of a deliverable against real scenarios before acceptance.",
    ),
)

_BY_KEY: dict[str, Term] = {t.key: t for t in TERMS}


def term(key: str) -> Term | None:
    """The entry for ``key``, or None."""
    return _BY_KEY.get(key)


def search(query: str) -> list[Term]:
    """The entries whose term or definition holds ``query`` (all of them for an empty query)."""
    return [t for t in TERMS if t.matches(query)]
