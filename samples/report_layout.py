"""Logical layout of a 政府信息公开工作年度报告, shared by the DOCX and HTML renderers.

A *truth* dict (see ``samples/generate_office.py``) holds the numbers; this module turns it into
format-neutral pieces: the title, the intro, the six headings with their narrative paragraphs, and
the three tables as grids of :class:`Cell` with ``colspan``/``rowspan``.  The grids follow the
official Word templates (国办公开办函〔2019〕60号 and 〔2021〕30号):

* section 二 is one 4-column table; each 第二十条第（x）项 caption is a full-width row, and a
  sub-table with fewer value columns spans them;
* section 三 has the 3-level merged header over 7 data columns and 3 label columns (A: 三、本年度办理结果
  running down the outcome rows, B: the group label, C: the leaf label);
* section 四 has 15 data columns under a 3-level header.

The 2019 and 2021 variants of section 二 are picked from ``report.template``; section 三 uses the
single （六）其他处理 row whenever ``requests`` has the key ``other`` (2019 template and hybrids).
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Any

Truth = dict[str, Any]

# --------------------------------------------------------------------------------------------
# Cells and tables
# --------------------------------------------------------------------------------------------

ROLE_CAPTION = "caption"  # 第二十条第（一）项: a full-width row
ROLE_HEADER = "header"  # a column header
ROLE_LABEL = "label"  # a row label
ROLE_GROUP = "group"  # a group label spanning several rows (（三）不予公开, 三、本年度办理结果)
ROLE_NOTE = "note"  # the corner cell of table 三 (勾稽关系), printed in 楷体
ROLE_VALUE = "value"  # a data cell


@dataclass
class Cell:
    text: str
    colspan: int = 1
    rowspan: int = 1
    role: str = ROLE_VALUE
    path: str | None = None  # e.g. "requests.granted.total" for a value cell


@dataclass
class Grid:
    key: str  # "proactive" | "requests" | "review_litigation"
    widths: list[int]  # grid column widths in twips (dxa), as in the official template
    rows: list[list[Cell]] = field(default_factory=list)

    @property
    def ncols(self) -> int:
        return len(self.widths)


def occupancy(grid: Grid) -> list[list[tuple[int, int] | None]]:
    """For every (row, grid column) give the (row, index) of the origin cell covering it.

    Raises ValueError when the spans do not tile the grid exactly; the renderers rely on it.
    """
    nrows = len(grid.rows)
    occ: list[list[tuple[int, int] | None]] = [[None] * grid.ncols for _ in range(nrows)]
    for r, row in enumerate(grid.rows):
        c = 0
        for i, cell in enumerate(row):
            while c < grid.ncols and occ[r][c] is not None:
                c += 1
            if c + cell.colspan > grid.ncols or r + cell.rowspan > nrows:
                raise ValueError(f"{grid.key}: cell {cell.text!r} overflows the grid at row {r}")
            for rr in range(r, r + cell.rowspan):
                for cc in range(c, c + cell.colspan):
                    if occ[rr][cc] is not None:
                        raise ValueError(f"{grid.key}: overlapping spans at row {rr} col {cc}")
                    occ[rr][cc] = (r, i)
            c += cell.colspan
    for r, orow in enumerate(occ):
        if any(o is None for o in orow):
            raise ValueError(f"{grid.key}: row {r} does not fill the grid")
    return occ


# --------------------------------------------------------------------------------------------
# Values
# --------------------------------------------------------------------------------------------


def format_number(value: Any) -> str:
    """A number as an agency would type it: ints plain, floats without a trailing .0."""
    if value is None:
        return ""
    if isinstance(value, bool):
        raise TypeError(f"not a number: {value!r}")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    raise TypeError(f"not a number: {value!r}")


def cell_text(truth: Truth, path: str) -> str:
    """The string printed for a data cell: ``display[path]`` if given, else the number, else ''."""
    display: dict[str, str] = truth.get("display") or {}
    if path in display:
        return display[path]
    section, row, col = path.split(".")
    value = (truth.get(section) or {}).get(row, {}).get(col)
    return format_number(value)


def _value(truth: Truth, section: str, row: str, col: str) -> Cell:
    path = f"{section}.{row}.{col}"
    return Cell(cell_text(truth, path), path=path)


# --------------------------------------------------------------------------------------------
# Section 二 (第二十条)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProactiveBlock:
    caption: str
    headers: tuple[tuple[str, int], ...]  # (label, colspan) of the value columns; spans sum to 3
    cols: tuple[str, ...]  # column keys, aligned with headers
    rows: tuple[tuple[str, str], ...]  # (row key, row label)


PROACTIVE_2021: tuple[ProactiveBlock, ...] = (
    ProactiveBlock(
        "第二十条第（一）项",
        (("本年制发件数", 1), ("本年废止件数", 1), ("现行有效件数", 1)),
        ("issued", "repealed", "in_force"),
        (("regulations", "规章"), ("normative_documents", "行政规范性文件")),
    ),
    ProactiveBlock(
        "第二十条第（五）项", (("本年处理决定数量", 3),), ("decisions",), (("licensing", "行政许可"),)
    ),
    ProactiveBlock(
        "第二十条第（六）项",
        (("本年处理决定数量", 3),),
        ("decisions",),
        (("punishment", "行政处罚"), ("coercion", "行政强制")),
    ),
    ProactiveBlock(
        "第二十条第（八）项",
        (("本年收费金额（单位：万元）", 3),),
        ("amount",),
        (("fees", "行政事业性收费"),),
    ),
)

PROACTIVE_2019: tuple[ProactiveBlock, ...] = (
    ProactiveBlock(
        "第二十条第（一）项",
        (("本年新制作数量", 1), ("本年新公开数量", 1), ("对外公开总数量", 1)),
        ("new_made", "new_published", "total_published"),
        (("regulations", "规章"), ("normative_documents", "规范性文件")),
    ),
    ProactiveBlock(
        "第二十条第（五）项",
        (("上一年项目数量", 1), ("本年增/减", 1), ("处理决定数量", 1)),
        ("previous", "change", "decisions"),
        (("licensing", "行政许可"), ("other_services", "其他对外管理服务事项")),
    ),
    ProactiveBlock(
        "第二十条第（六）项",
        (("上一年项目数量", 1), ("本年增/减", 1), ("处理决定数量", 1)),
        ("previous", "change", "decisions"),
        (("punishment", "行政处罚"), ("coercion", "行政强制")),
    ),
    ProactiveBlock(
        "第二十条第（八）项",
        (("上一年项目数量", 1), ("本年增/减", 2)),
        ("previous", "change"),
        (("fees", "行政事业性收费"),),
    ),
    ProactiveBlock(
        "第二十条第（九）项",
        (("采购项目数量", 1), ("采购总金额", 2)),
        ("projects", "amount"),
        (("procurement", "政府集中采购"),),
    ),
)


def proactive_blocks(truth: Truth) -> tuple[ProactiveBlock, ...]:
    template = str(truth["report"].get("template", "2021"))
    if template == "2019":
        return PROACTIVE_2019
    if template == "2021":
        return PROACTIVE_2021
    raise ValueError(f"unknown template {template!r}")


def proactive_grid(truth: Truth) -> Grid:
    grid = Grid("proactive", [2435, 2435, 2435, 2435])
    data: dict[str, Any] = truth.get("proactive") or {}
    for block in proactive_blocks(truth):
        present = [(k, label) for k, label in block.rows if k in data]
        if not present:
            continue
        grid.rows.append([Cell(block.caption, colspan=4, role=ROLE_CAPTION)])
        grid.rows.append(
            [Cell("信息内容", role=ROLE_HEADER)]
            + [Cell(h, colspan=span, role=ROLE_HEADER) for h, span in block.headers]
        )
        for key, label in present:
            row = [Cell(label, role=ROLE_LABEL)]
            for col, (_, span) in zip(block.cols, block.headers, strict=True):
                cell = _value(truth, "proactive", key, col)
                cell.colspan = span
                row.append(cell)
            grid.rows.append(row)
    return grid


# --------------------------------------------------------------------------------------------
# Section 三 (requests)
# --------------------------------------------------------------------------------------------

REQUEST_COLUMNS: tuple[str, ...] = (
    "natural_person",
    "commercial",
    "research",
    "public_interest",
    "legal_service",
    "other_org",
    "total",
)

REQUESTS_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
OUTCOME_LABEL = "三、本年度办理结果"

# (group label or None, ((row key, leaf label), ...)); a None group means the label spans B–C.
_GROUPS_HEAD: tuple[tuple[str | None, tuple[tuple[str, str], ...]], ...] = (
    (None, (("granted", "（一）予以公开"),)),
    (None, (("partially_granted", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),)),
    (
        "（三）不予公开",
        (
            ("denied_state_secret", "1.属于国家秘密"),
            ("denied_law_prohibited", "2.其他法律行政法规禁止公开"),
            ("denied_safety_stability", "3.危及“三安全一稳定”"),
            ("denied_third_party", "4.保护第三方合法权益"),
            ("denied_internal_affairs", "5.属于三类内部事务信息"),
            ("denied_process_info", "6.属于四类过程性信息"),
            ("denied_enforcement_file", "7.属于行政执法案卷"),
            ("denied_admin_query", "8.属于行政查询事项"),
        ),
    ),
    (
        "（四）无法提供",
        (
            ("unavailable_not_held", "1.本机关不掌握相关政府信息"),
            ("unavailable_needs_creation", "2.没有现成信息需要另行制作"),
            ("unavailable_unclear", "3.补正后申请内容仍不明确"),
        ),
    ),
    (
        "（五）不予处理",
        (
            ("rejected_complaint", "1.信访举报投诉类申请"),
            ("rejected_repeat", "2.重复申请"),
            ("rejected_publication", "3.要求提供公开出版物"),
            ("rejected_excessive", "4.无正当理由大量反复申请"),
            ("rejected_confirmation", "5.要求行政机关确认或重新出具已获取信息"),
        ),
    ),
)
_OTHER_2021: tuple[str | None, tuple[tuple[str, str], ...]] = (
    "（六）其他处理",
    (
        (
            "other_overdue_correction",
            "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        ),
        (
            "other_overdue_fee",
            "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        ),
        ("other_misc", "3.其他"),
    ),
)
_OTHER_SINGLE: tuple[str | None, tuple[tuple[str, str], ...]] = (None, (("other", "（六）其他处理"),))
_TOTAL: tuple[str | None, tuple[tuple[str, str], ...]] = (None, (("total", "（七）总计"),))

TOP_ROWS: tuple[tuple[str, str], ...] = (
    ("new_received", "一、本年新收政府信息公开申请数量"),
    ("carried_over", "二、上年结转政府信息公开申请数量"),
)
BOTTOM_ROW: tuple[str, str] = ("carried_forward", "四、结转下年度继续办理")


def outcome_groups(truth: Truth) -> tuple[tuple[str | None, tuple[tuple[str, str], ...]], ...]:
    requests: dict[str, Any] = truth.get("requests") or {}
    other = _OTHER_SINGLE if "other" in requests else _OTHER_2021
    return (*_GROUPS_HEAD, other, _TOTAL)


def request_row_labels(truth: Truth) -> list[tuple[str, str]]:
    """All data rows of table 三 in template order, with the leaf label."""
    rows = list(TOP_ROWS)
    for _, leaves in outcome_groups(truth):
        rows.extend(leaves)
    rows.append(BOTTOM_ROW)
    return rows


def requests_grid(truth: Truth) -> Grid:
    # The official template has [754, 921, 3271] + 7 x 685; the leaf-label column is narrowed here
    # so that 4-digit numbers fit in the data columns on an A4 text width.
    grid = Grid("requests", [754, 921, 2600, *([780] * 7)])
    grid.rows.append(
        [
            Cell(REQUESTS_NOTE, colspan=3, rowspan=3, role=ROLE_NOTE),
            Cell("申请人情况", colspan=7, role=ROLE_HEADER),
        ]
    )
    grid.rows.append(
        [
            Cell("自然人", rowspan=2, role=ROLE_HEADER),
            Cell("法人或其他组织", colspan=5, role=ROLE_HEADER),
            Cell("总计", rowspan=2, role=ROLE_HEADER),
        ]
    )
    grid.rows.append(
        [Cell(h, role=ROLE_HEADER) for h in ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")]
    )

    def values(key: str) -> list[Cell]:
        return [_value(truth, "requests", key, c) for c in REQUEST_COLUMNS]

    for key, label in TOP_ROWS:
        grid.rows.append([Cell(label, colspan=3, role=ROLE_LABEL), *values(key)])
    groups = outcome_groups(truth)
    n_outcome = sum(len(leaves) for _, leaves in groups)
    first = True
    for group, leaves in groups:
        for j, (key, label) in enumerate(leaves):
            row: list[Cell] = []
            if first:
                row.append(Cell(OUTCOME_LABEL, rowspan=n_outcome, role=ROLE_GROUP))
                first = False
            if group is None:
                row.append(Cell(label, colspan=2, role=ROLE_LABEL))
            else:
                if j == 0:
                    row.append(Cell(group, rowspan=len(leaves), role=ROLE_GROUP))
                row.append(Cell(label, role=ROLE_LABEL))
            grid.rows.append(row + values(key))
    key, label = BOTTOM_ROW
    grid.rows.append([Cell(label, colspan=3, role=ROLE_LABEL), *values(key)])
    return grid


# --------------------------------------------------------------------------------------------
# Section 四 (review / litigation)
# --------------------------------------------------------------------------------------------

REVIEW_BLOCKS: tuple[str, ...] = ("review", "litigation_direct", "litigation_after_review")
REVIEW_COLUMNS: tuple[tuple[str, str], ...] = (
    ("upheld", "结果维持"),
    ("corrected", "结果纠正"),
    ("other", "其他结果"),
    ("pending", "尚未审结"),
    ("total", "总计"),
)


def review_grid(truth: Truth) -> Grid:
    grid = Grid("review_litigation", [649] * 7 + [650] * 8)
    grid.rows.append(
        [Cell("行政复议", colspan=5, role=ROLE_HEADER), Cell("行政诉讼", colspan=10, role=ROLE_HEADER)]
    )
    grid.rows.append(
        [Cell(label, rowspan=2, role=ROLE_HEADER) for _, label in REVIEW_COLUMNS]
        + [
            Cell("未经复议直接起诉", colspan=5, role=ROLE_HEADER),
            Cell("复议后起诉", colspan=5, role=ROLE_HEADER),
        ]
    )
    grid.rows.append([Cell(label, role=ROLE_HEADER) for _ in range(2) for _, label in REVIEW_COLUMNS])
    grid.rows.append(
        [_value(truth, "review_litigation", b, c) for b in REVIEW_BLOCKS for c, _ in REVIEW_COLUMNS]
    )
    return grid


# --------------------------------------------------------------------------------------------
# Text
# --------------------------------------------------------------------------------------------

HEADINGS: tuple[tuple[str, str], ...] = (
    ("overview", "一、总体情况"),
    ("proactive", "二、主动公开政府信息情况"),
    ("requests", "三、收到和处理政府信息公开申请情况"),
    ("review_litigation", "四、政府信息公开行政复议、行政诉讼情况"),
    ("problems", "五、存在的主要问题及改进情况"),
    ("other", "六、其他需要报告的事项"),
)


def title(truth: Truth) -> str:
    report = truth["report"]
    t = report.get("title")
    if t:
        return str(t)
    return f"{report['agency']}{report['year']}年政府信息公开工作年度报告"


def published_date(truth: Truth) -> _dt.date | None:
    p = truth["report"].get("published")
    if not p:
        return None
    return _dt.date.fromisoformat(str(p))


def chinese_date(d: _dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def intro(truth: Truth) -> str:
    report = truth["report"]
    year = report["year"]
    fmt = (
        "《中华人民共和国政府信息公开工作年度报告格式》"
        if str(report.get("template")) == "2021"
        else "《中华人民共和国政府信息公开工作年度报告格式（试行）》"
    )
    return (
        f"本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和{fmt}要求编制，"
        "全文包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、"
        "政府信息公开行政复议和行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项。"
        f"本报告中所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。"
        f"如对本报告有疑问，请与{report['agency']}办公室联系。"
    )


def _num(truth: Truth, section: str, row: str, col: str) -> str | None:
    text = cell_text(truth, f"{section}.{row}.{col}")
    return text if text and text[0].isdigit() else None


def _default_overview(truth: Truth) -> list[str]:
    report = truth["report"]
    year = report["year"]
    agency = report["agency"]
    paras = [
        f"{year}年，{agency}认真贯彻落实《条例》和上级关于政务公开工作的部署要求，"
        "坚持以公开为常态、不公开为例外，持续深化决策、执行、管理、服务、结果公开，"
        "不断提升政府工作透明度。",
        "（一）主动公开",
    ]
    licensing = _num(truth, "proactive", "licensing", "decisions")
    s = "全年通过政府门户网站“政府信息公开”专栏主动公开各类政府信息，"
    if licensing is not None:
        s += f"公开行政许可处理决定{licensing}件，"
    s += "及时更新机构职能、财政预决算、重点领域信息等内容。"
    paras.append(s)
    paras.append("（二）依申请公开")
    got = _num(truth, "requests", "new_received", "total")
    done = _num(truth, "requests", "total", "total")
    fwd = _num(truth, "requests", "carried_forward", "total")
    s = "严格按照《条例》规定的程序和时限办理政府信息公开申请。"
    if got is not None:
        s += f"全年共收到政府信息公开申请{got}件"
        if done is not None:
            s += f"，办结{done}件"
        if fwd is not None:
            s += f"，结转下年度继续办理{fwd}件"
        s += "。"
    paras.append(s)
    paras.append("（三）政府信息管理")
    paras.append("落实公文公开属性源头认定机制，加强公开前保密审查，动态更新政府信息公开指南和目录。")
    paras.append("（四）平台建设")
    paras.append("持续优化政府网站信息公开专栏，做好政务新媒体的信息发布和互动回应。")
    paras.append("（五）监督保障")
    paras.append("将政务公开工作纳入年度绩效考核，组织开展业务培训，本年度未发生政府信息公开责任追究情况。")
    return paras


def _default_problems() -> list[str]:
    return [
        "一是政策解读的形式还不够丰富；二是依申请公开答复的规范化水平有待进一步提高。",
        "下一步，将加强业务培训，完善依申请公开办理流程，推进政策解读多元化，不断提升政务公开工作质量。",
    ]


def _default_other(truth: Truth) -> list[str]:
    if str(truth["report"].get("template")) == "2021":
        return ["本年度未收取信息处理费。无其他需要报告的事项。"]
    return ["无。"]


def narrative(truth: Truth, key: str) -> list[str]:
    """The paragraphs of a narrative section (overview / problems / other)."""
    sections: dict[str, str] = truth.get("sections") or {}
    text = sections.get(key)
    if text:
        return [p.strip() for p in str(text).split("\n") if p.strip()]
    if key == "overview":
        return _default_overview(truth)
    if key == "problems":
        return _default_problems()
    if key == "other":
        return _default_other(truth)
    return []


def grids(truth: Truth) -> dict[str, Grid]:
    return {
        "proactive": proactive_grid(truth),
        "requests": requests_grid(truth),
        "review_litigation": review_grid(truth),
    }
