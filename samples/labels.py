"""Keys and canonical printed labels of the national templates (2019 and 2021).

Only constants live here, so any renderer (PDF, DOCX, HTML) can share them.
"""

from __future__ import annotations

from typing import Final

# --- section 三: the request grid -------------------------------------------------

REQUEST_COLUMNS: Final[tuple[str, ...]] = (
    "natural_person",
    "commercial",
    "research",
    "public_interest",
    "legal_service",
    "other_org",
    "total",
)
APPLICANT_COLUMNS: Final[tuple[str, ...]] = REQUEST_COLUMNS[:6]

COLUMN_LABELS: Final[dict[str, str]] = {
    "natural_person": "自然人",
    "commercial": "商业企业",
    "research": "科研机构",
    "public_interest": "社会公益组织",
    "legal_service": "法律服务机构",
    "other_org": "其他",
    "total": "总计",
}

DENIED_ROWS: Final[tuple[str, ...]] = (
    "denied_state_secret",
    "denied_law_prohibited",
    "denied_safety_stability",
    "denied_third_party",
    "denied_internal_affairs",
    "denied_process_info",
    "denied_enforcement_file",
    "denied_admin_query",
)
UNAVAILABLE_ROWS: Final[tuple[str, ...]] = (
    "unavailable_not_held",
    "unavailable_needs_creation",
    "unavailable_unclear",
)
REJECTED_ROWS: Final[tuple[str, ...]] = (
    "rejected_complaint",
    "rejected_repeat",
    "rejected_publication",
    "rejected_excessive",
    "rejected_confirmation",
)
OTHER_ROWS_2021: Final[tuple[str, ...]] = (
    "other_overdue_correction",
    "other_overdue_fee",
    "other_misc",
)


def outcome_rows(single_other: bool) -> tuple[str, ...]:
    """The rows between 三、本年度办理结果 and （七）总计, in template order."""
    other: tuple[str, ...] = ("other",) if single_other else OTHER_ROWS_2021
    return ("granted", "partially_granted", *DENIED_ROWS, *UNAVAILABLE_ROWS, *REJECTED_ROWS, *other)


def request_rows(single_other: bool) -> tuple[str, ...]:
    """Every data row of the section 三 grid, in template order."""
    return ("new_received", "carried_over", *outcome_rows(single_other), "total", "carried_forward")


# Leaf labels without their number ("1." is added by the renderer).
LEAF_LABELS: Final[dict[str, str]] = {
    "denied_state_secret": "属于国家秘密",
    "denied_law_prohibited": "其他法律行政法规禁止公开",
    "denied_safety_stability": "危及“三安全一稳定”",
    "denied_third_party": "保护第三方合法权益",
    "denied_internal_affairs": "属于三类内部事务信息",
    "denied_process_info": "属于四类过程性信息",
    "denied_enforcement_file": "属于行政执法案卷",
    "denied_admin_query": "属于行政查询事项",
    "unavailable_not_held": "本机关不掌握相关政府信息",
    "unavailable_needs_creation": "没有现成信息需要另行制作",
    "unavailable_unclear": "补正后申请内容仍不明确",
    "rejected_complaint": "信访举报投诉类申请",
    "rejected_repeat": "重复申请",
    "rejected_publication": "要求提供公开出版物",
    "rejected_excessive": "无正当理由大量反复申请",
    "rejected_confirmation": "要求行政机关确认或重新出具已获取信息",
    "other_overdue_correction": ("申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
    "other_overdue_fee": ("申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
    "other_misc": "其他",
}

GROUP_LABELS: Final[dict[str, str]] = {
    "denied": "（三）不予公开",
    "unavailable": "（四）无法提供",
    "rejected": "（五）不予处理",
    "other": "（六）其他处理",
}

GROUP_ROWS: Final[dict[str, tuple[str, ...]]] = {
    "denied": DENIED_ROWS,
    "unavailable": UNAVAILABLE_ROWS,
    "rejected": REJECTED_ROWS,
    "other": OTHER_ROWS_2021,
}

ROW_LABELS: Final[dict[str, str]] = {
    "new_received": "一、本年新收政府信息公开申请数量",
    "carried_over": "二、上年结转政府信息公开申请数量",
    "granted": "（一）予以公开",
    "partially_granted": "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    "other": "（六）其他处理",
    "total": "（七）总计",
    "carried_forward": "四、结转下年度继续办理",
}

RESULTS_LABEL: Final[str] = "三、本年度办理结果"
CORNER_NOTE: Final[str] = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"

# --- section 四 ---------------------------------------------------------------------

REVIEW_BLOCKS: Final[tuple[str, ...]] = (
    "review",
    "litigation_direct",
    "litigation_after_review",
)
REVIEW_COLUMNS: Final[tuple[str, ...]] = ("upheld", "corrected", "other", "pending", "total")
REVIEW_COLUMN_LABELS: Final[dict[str, str]] = {
    "upheld": "结果维持",
    "corrected": "结果纠正",
    "other": "其他结果",
    "pending": "尚未审结",
    "total": "总计",
}

# --- section 二 ---------------------------------------------------------------------

PROACTIVE_2021: Final[dict[str, tuple[str, ...]]] = {
    "regulations": ("issued", "repealed", "in_force"),
    "normative_documents": ("issued", "repealed", "in_force"),
    "licensing": ("decisions",),
    "punishment": ("decisions",),
    "coercion": ("decisions",),
    "fees": ("amount",),
}
PROACTIVE_2019: Final[dict[str, tuple[str, ...]]] = {
    "regulations": ("new_made", "new_published", "total_published"),
    "normative_documents": ("new_made", "new_published", "total_published"),
    "licensing": ("previous", "change", "decisions"),
    "other_services": ("previous", "change", "decisions"),
    "punishment": ("previous", "change", "decisions"),
    "coercion": ("previous", "change", "decisions"),
    "fees": ("previous", "change"),
    "procurement": ("projects", "amount"),
}
PROACTIVE_ROW_LABELS: Final[dict[str, str]] = {
    "regulations": "规章",
    "normative_documents": "行政规范性文件",
    "licensing": "行政许可",
    "other_services": "其他对外管理服务事项",
    "punishment": "行政处罚",
    "coercion": "行政强制",
    "fees": "行政事业性收费",
    "procurement": "政府集中采购",
}
PROACTIVE_COLUMN_LABELS: Final[dict[str, str]] = {
    "issued": "本年制发件数",
    "repealed": "本年废止件数",
    "in_force": "现行有效件数",
    "decisions": "本年处理决定数量",
    "amount_2021": "本年收费金额（单位：万元）",
    "new_made": "本年新制作数量",
    "new_published": "本年新公开数量",
    "total_published": "对外公开总数量",
    "previous": "上一年项目数量",
    "change": "本年增/减",
    "decisions_2019": "处理决定数量",
    "projects": "采购项目数量",
    "amount_2019": "采购总金额",
}

# Sub-tables of section 二: (item number, row keys), per template.
PROACTIVE_ITEMS_2021: Final[tuple[tuple[str, tuple[str, ...]], ...]] = (
    ("一", ("regulations", "normative_documents")),
    ("五", ("licensing",)),
    ("六", ("punishment", "coercion")),
    ("八", ("fees",)),
)
PROACTIVE_ITEMS_2019: Final[tuple[tuple[str, tuple[str, ...]], ...]] = (
    ("一", ("regulations", "normative_documents")),
    ("五", ("licensing", "other_services")),
    ("六", ("punishment", "coercion")),
    ("八", ("fees",)),
    ("九", ("procurement",)),
)

SECTION_HEADINGS: Final[dict[str, str]] = {
    "overview": "一、总体情况",
    "proactive": "二、主动公开政府信息情况",
    "requests": "三、收到和处理政府信息公开申请情况",
    "review_litigation": "四、政府信息公开行政复议、行政诉讼情况",
    "problems": "五、存在的主要问题及改进情况",
    "other": "六、其他需要报告的事项",
}
SECTION_HEADING_VARIANTS: Final[dict[str, tuple[str, ...]]] = {
    "review_litigation": (
        "四、政府信息公开行政复议、行政诉讼情况",
        "四、因政府信息公开工作被申请行政复议、提起行政诉讼情况",
    ),
    "problems": (
        "五、存在的主要问题及改进情况",
        "五、政府信息公开工作存在的主要问题及改进情况",
    ),
}
