"""Random but internally consistent ground truth for a synthetic annual report.

The result has the shape of the ground-truth files (`file`, `report`, `proactive`,
`requests`, `review_litigation`, `source_failures`, `notes`) plus three keys that the
renderers need:

- `report.title` and `report.published` (ISO date, printed at the end of the document);
- `display`: path -> printed raw string, for every cell whose printed text is not the
  plain rendering of its value (`""` for a blank cell, `"/"`, `"—"`, `"251000元"`,
  `"+12"`, a fee printed as `"0.00"` …). Paths look like `requests.granted.total`,
  `proactive.procurement.amount`, `review_litigation.review.total`;
- `sections`: the narrative text, `{key: str}` for `preface` (the paragraph before
  一), `overview` (一), `problems` (五) and `other` (六); paragraphs joined by "\\n";
- `headings`: the printed heading of each of the six sections, `{key: str}` for
  `overview`, `proactive`, `requests`, `review_litigation`, `problems`, `other`
  (canonical unless `heading_variants`).

A value is what the report states: a deliberately wrong printed total keeps the wrong
number as its value and is explained in `source_failures`, as the corpus files do.
Blank and "/" cells are `null`.
"""

from __future__ import annotations

import random
from typing import Any, Literal

from samples.labels import (
    APPLICANT_COLUMNS,
    PROACTIVE_2019,
    PROACTIVE_2021,
    REQUEST_COLUMNS,
    REVIEW_BLOCKS,
    REVIEW_COLUMNS,
    SECTION_HEADING_VARIANTS,
    SECTION_HEADINGS,
    outcome_rows,
    request_rows,
)

Truth = dict[str, Any]
Template = Literal["2019", "2021", "hybrid"]
SourceFailure = Literal["review_total", "request_total", "blank_total"]

_PLACES: tuple[str, ...] = (
    "清河",
    "安平",
    "临川",
    "云溪",
    "长宁",
    "东阳",
    "青山",
    "凤城",
    "永宁",
    "桃源",
    "白沙",
    "宁远",
    "平阳",
    "柳江",
    "石门",
    "新安",
    "汉阴",
    "南丰",
    "金溪",
    "华亭",
)
_DEPARTMENTS: tuple[str, ...] = (
    "生态环境局",
    "商务局",
    "自然资源和规划局",
    "市场监督管理局",
    "住房和城乡建设局",
    "交通运输局",
    "教育局",
    "人力资源和社会保障局",
    "卫生健康委员会",
    "农业农村局",
)
_WEIGHTS_OUTCOME: dict[str, float] = {
    "granted": 0.34,
    "partially_granted": 0.07,
    "denied_state_secret": 0.004,
    "denied_law_prohibited": 0.01,
    "denied_safety_stability": 0.004,
    "denied_third_party": 0.01,
    "denied_internal_affairs": 0.015,
    "denied_process_info": 0.02,
    "denied_enforcement_file": 0.008,
    "denied_admin_query": 0.03,
    "unavailable_not_held": 0.24,
    "unavailable_needs_creation": 0.04,
    "unavailable_unclear": 0.02,
    "rejected_complaint": 0.05,
    "rejected_repeat": 0.03,
    "rejected_publication": 0.008,
    "rejected_excessive": 0.005,
    "rejected_confirmation": 0.01,
    "other_overdue_correction": 0.04,
    "other_overdue_fee": 0.004,
    "other_misc": 0.04,
    "other": 0.084,
}
_WEIGHTS_COLUMN: dict[str, float] = {
    "natural_person": 0.87,
    "commercial": 0.07,
    "research": 0.006,
    "public_interest": 0.006,
    "legal_service": 0.04,
    "other_org": 0.012,
}


def make_truth(
    seed: int,
    template: Template,
    *,
    file: str = "",
    year: int | None = None,
    agency_kind: Literal["government", "department"] | None = None,
    scale: Literal["small", "medium", "large"] = "medium",
    blank_zero_rate: float = 0.0,
    dash_zero_rate: float = 0.0,
    dash_marks: tuple[str, ...] = ("/", "—"),
    source_failure: SourceFailure | None = None,
    money_in_yuan: bool = False,
    plus_sign_changes: bool = False,
    published: bool = True,
    heading_variants: bool = False,
    carried_over: dict[str, int] | None = None,
) -> Truth:
    """Make a consistent truth for one report.

    `template`: "2019" (years 2019-2020), "2021" (2021-2025) or "hybrid" (2021 section
    二 with a single （六）其他处理 row; `report.template` is "2021").
    `blank_zero_rate` / `dash_zero_rate`: share of the zero cells of sections 三 and 四
    (and of the 2019 section 二) printed blank or as one of `dash_marks`; these are
    `null` and every relation still holds when they are read as 0.
    `source_failure`: inject one error of the source (a wrong or blank printed total).
    `money_in_yuan`: print the 2019 procurement amount in 元 ("251000元").
    `plus_sign_changes`: print positive 本年增/减 with a "+".
    `published`: give `report.published` (printed under the signature).
    `heading_variants`: use the non-canonical wording of headings 四 and 五.
    `carried_over`: the requests carried over from the year before, by applicant column (what that
    year's report carries forward: `make_series`).
    """
    rng = random.Random(seed)
    if year is None:
        year = rng.choice((2019, 2020)) if template == "2019" else rng.randint(2021, 2025)
    if template == "2019" and year not in (2019, 2020):
        raise ValueError("the 2019 template is for report years 2019-2020")
    if template != "2019" and year < 2021:
        raise ValueError("the 2021 template is for report years 2021 on")
    kind: str = agency_kind or rng.choice(("government", "government", "department"))
    agency, short, compiler = _agency(rng, kind)
    single_other = template != "2021"
    display: dict[str, str] = {}

    proactive = (
        _proactive_2019(rng, kind, scale, money_in_yuan, plus_sign_changes, display)
        if template == "2019"
        else _proactive_2021(rng, kind, scale, display)
    )
    requests = _request_grid(rng, scale, single_other, carried_over)
    review = _review(rng, scale)

    if template == "2019":
        _blank_cells(rng, "proactive", proactive, blank_zero_rate / 2, 0.0, dash_marks, display)
    _blank_cells(rng, "requests", requests, blank_zero_rate, dash_zero_rate, dash_marks, display)
    _blank_cells(rng, "review_litigation", review, blank_zero_rate, dash_zero_rate, dash_marks, display)
    if source_failure is not None:
        _inject_failure(rng, source_failure, requests, review, display)
    # What the agency actually counted, for the narrative: sums of the parts, which
    # neither blanks (zero cells only) nor the injected errors (totals only) change.
    facts = _facts(requests, review)

    published_date = _published(rng, year, kind) if published else None
    title = f"{agency}{year}年政府信息公开工作年度报告"
    truth: Truth = {
        "file": file,
        "report": {
            "agency": agency,
            "year": year,
            "template": "2019" if template == "2019" else "2021",
            "title": title,
            "published": published_date,
        },
        "proactive": proactive,
        "requests": requests,
        "review_litigation": review,
        "source_failures": [],
        "notes": "",
        "display": dict(sorted(display.items())),
        "sections": _sections(rng, template, year, agency, short, compiler, kind, proactive, facts),
        "headings": _headings(rng, heading_variants),
    }
    truth["source_failures"] = relation_failures(truth)
    truth["notes"] = _notes(template, truth)
    return truth


def make_series(seed: int, years: list[int], template: Template = "2021", **options: Any) -> list[Truth]:
    """Consistent truths of one agency's consecutive years: each year carries over what the year
    before carries forward, column by column. `options` go to `make_truth`."""
    out: list[Truth] = []
    for i, year in enumerate(years):
        before = out[-1]["requests"]["carried_forward"] if out else None
        carried = {c: before[c] or 0 for c in APPLICANT_COLUMNS} if before is not None else None
        truth = make_truth(
            seed + i, template, year=year, agency_kind="government", carried_over=carried, **options
        )
        if out:  # the first year's agency throughout
            old, new = truth["report"]["agency"], out[0]["report"]["agency"]
            truth["report"]["agency"] = new
            truth["report"]["title"] = truth["report"]["title"].replace(old, new)
            truth["sections"] = {k: v.replace(old, new) for k, v in truth["sections"].items()}
        out.append(truth)
    return out


# --- pieces of the truth --------------------------------------------------------------


def _agency(rng: random.Random, kind: str) -> tuple[str, str, str]:
    """(agency, short self-reference, compiling office)."""
    place = rng.choice(_PLACES)
    if kind == "government":
        level = rng.choice(("区", "县", "市"))
        agency = f"{place}{level}人民政府"
        return agency, f"{level}政府", f"{agency}办公室"
    level = rng.choice(("市", "县", "区"))
    dept = rng.choice(_DEPARTMENTS)
    agency = f"{place}{level}{dept}"
    short = "我委" if dept.endswith("委员会") else "我局"
    return agency, short, agency


def _published(rng: random.Random, year: int, kind: str) -> str:
    month = 1 if kind == "department" else rng.choice((1, 1, 2, 3))
    day = rng.randint(8, 28 if month == 2 else 30)
    return f"{year + 1:04d}-{month:02d}-{day:02d}"


def _big(rng: random.Random, scale: str, small: int, medium: int, large: int) -> int:
    top = {"small": small, "medium": medium, "large": large}[scale]
    # log-uniform, so that both 37 and 3985758 occur
    hi = max(0.1, _log10(top))
    return round(10 ** rng.uniform(hi / 3, hi))


def _log10(x: int) -> float:
    import math

    return math.log10(max(1, x))


def _proactive_2021(
    rng: random.Random, kind: str, scale: str, display: dict[str, str]
) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for key in ("regulations", "normative_documents"):
        if key == "regulations" and (kind == "department" or rng.random() < 0.4):
            in_force = 0 if kind == "department" else rng.choice((0, 3, 12))
            out[key] = {"issued": 0, "repealed": 0, "in_force": in_force}
            continue
        hi = 6 if key == "regulations" else 40
        issued = rng.randint(0, hi)
        repealed = rng.randint(0, hi // 2)
        out[key] = {
            "issued": issued,
            "repealed": repealed,
            "in_force": issued + rng.randint(repealed, 20 * hi),
        }
    out["licensing"] = {"decisions": _big(rng, scale, 900, 60000, 900000)}
    out["punishment"] = {"decisions": _big(rng, scale, 400, 20000, 4000000)}
    out["coercion"] = {"decisions": _big(rng, scale, 60, 3000, 120000)}
    if rng.random() < 0.2:
        amount = 0.0
        if rng.random() < 0.5:
            display["proactive.fees.amount"] = "0.00"
        out["fees"] = {"amount": 0}
    else:
        decimals = rng.choice((1, 2, 2, 4))
        amount = round(_big(rng, scale, 300, 9000, 100000) + rng.random(), decimals)
        out["fees"] = {"amount": amount}
    return out


def _proactive_2019(
    rng: random.Random,
    kind: str,
    scale: str,
    money_in_yuan: bool,
    plus_sign: bool,
    display: dict[str, str],
) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for key in ("regulations", "normative_documents"):
        if key == "regulations" and kind == "department":
            out[key] = {"new_made": 0, "new_published": 0, "total_published": 0}
            continue
        made = rng.randint(0, 8 if key == "regulations" else 60)
        pub = made if rng.random() < 0.7 else rng.randint(0, made)
        out[key] = {
            "new_made": made,
            "new_published": pub,
            "total_published": pub + rng.randint(0, 500),
        }
    for key in ("licensing", "other_services", "punishment", "coercion"):
        previous = rng.randint(0, 900) if rng.random() < 0.85 else 0
        change = rng.randint(-min(previous, 40), 60) if previous else 0
        decisions = _big(rng, scale, 500, 30000, 600000) if previous or change else 0
        out[key] = {"previous": previous, "change": change, "decisions": decisions}
        if plus_sign and change > 0:
            display[f"proactive.{key}.change"] = f"+{change}"
    previous = rng.randint(0, 40)
    change = rng.randint(-min(previous, 5), 5)
    out["fees"] = {"previous": previous, "change": change}
    if plus_sign and change > 0:
        display["proactive.fees.change"] = f"+{change}"
    projects = rng.randint(0, 150)
    if projects == 0:
        out["procurement"] = {"projects": 0, "amount": 0}
    elif money_in_yuan:
        cents = rng.random() < 0.4
        yuan_x100 = rng.randint(50_000, 9_000_000_000) if cents else rng.randint(5, 90_000) * 10_000
        yuan_txt = f"{yuan_x100 // 100}.{yuan_x100 % 100:02d}" if cents else str(yuan_x100 // 100)
        out["procurement"] = {"projects": projects, "amount": round(yuan_x100 / 1_000_000, 6)}
        display["proactive.procurement.amount"] = f"{yuan_txt}元"
    else:
        amount = round(rng.randint(10, 900_000) / 100, 2)
        out["procurement"] = {"projects": projects, "amount": amount}
        display["proactive.procurement.amount"] = f"{_fmt_num(amount)}万元"
    return out


def _split(rng: random.Random, n: int, weights: dict[str, float]) -> dict[str, int]:
    keys = list(weights)
    counts = dict.fromkeys(keys, 0)
    for k in rng.choices(keys, weights=[weights[k] for k in keys], k=n):
        counts[k] += 1
    return counts


def _request_grid(
    rng: random.Random, scale: str, single_other: bool, carried_over: dict[str, int] | None = None
) -> dict[str, dict[str, int | None]]:
    n_new = {
        "small": rng.randint(3, 60),
        "medium": rng.randint(80, 900),
        "large": rng.randint(2500, 30000),
    }[scale]
    col_w = dict(_WEIGHTS_COLUMN)
    for c in ("research", "public_interest", "other_org"):  # often unused columns
        if rng.random() < 0.5:
            col_w[c] = 0.0
    new = _split(rng, n_new, col_w)
    carried = (
        {c: carried_over.get(c, 0) for c in APPLICANT_COLUMNS}
        if carried_over is not None
        else _split(rng, max(0, int(n_new * rng.uniform(0.0, 0.06))), col_w)
    )
    rows = outcome_rows(single_other)
    out_w = {r: _WEIGHTS_OUTCOME[r] for r in rows}
    grid: dict[str, dict[str, int | None]] = {r: {} for r in request_rows(single_other)}
    for c in APPLICANT_COLUMNS:
        pool = new[c] + carried[c]
        forward = int(pool * rng.uniform(0.0, 0.08)) if pool > 3 else 0
        done = pool - forward
        split = _split(rng, done, out_w)
        grid["new_received"][c] = new[c]
        grid["carried_over"][c] = carried[c]
        for r in rows:
            grid[r][c] = split[r]
        grid["total"][c] = done
        grid["carried_forward"][c] = forward
    for r, cells in grid.items():
        cells["total"] = sum(v or 0 for v in cells.values())
        grid[r] = {c: cells[c] for c in REQUEST_COLUMNS}
    return grid


def _review(rng: random.Random, scale: str) -> dict[str, dict[str, int | None]]:
    hi = {"small": 4, "medium": 20, "large": 180}[scale]
    out: dict[str, dict[str, int | None]] = {}
    for block in REVIEW_BLOCKS:
        top = hi if block == "review" else max(2, hi // 3)
        cells: dict[str, int | None] = {
            c: (rng.randint(0, top) if rng.random() < 0.6 else 0) for c in REVIEW_COLUMNS[:4]
        }
        cells["total"] = sum(v or 0 for v in cells.values())
        out[block] = cells
    return out


def _blank_cells(
    rng: random.Random,
    prefix: str,
    table: dict[str, dict[str, Any]],
    blank_rate: float,
    dash_rate: float,
    marks: tuple[str, ...],
    display: dict[str, str],
) -> None:
    """Print some zero cells blank or as a dash mark (value null)."""
    if blank_rate <= 0 and dash_rate <= 0:
        return
    for row, cells in table.items():
        for col, value in cells.items():
            path = f"{prefix}.{row}.{col}"
            if value != 0 or path in display:
                continue
            x = rng.random()
            if x < blank_rate:
                cells[col] = None
                display[path] = ""
            elif x < blank_rate + dash_rate:
                cells[col] = None
                display[path] = rng.choice(marks)


def _inject_failure(
    rng: random.Random,
    kind: SourceFailure,
    requests: dict[str, dict[str, int | None]],
    review: dict[str, dict[str, int | None]],
    display: dict[str, str],
) -> None:
    if kind == "review_total":
        cells = review["review"]
        if not any(cells[c] for c in REVIEW_COLUMNS[:4]):
            cells["upheld"] = (cells["upheld"] or 0) + rng.randint(2, 9)
            display.pop("review_litigation.review.upheld", None)  # printed as the number now
        cells["total"] = 0
        display.pop("review_litigation.review.total", None)
        return
    candidates = [
        r
        for r in outcome_rows("other" in requests)
        if (requests[r]["total"] or 0) >= 10 and requests[r]["natural_person"]
    ] or ["granted"]
    row = rng.choice(candidates)
    true = sum(requests[row][c] or 0 for c in APPLICANT_COLUMNS)
    if kind == "blank_total":
        requests[row]["total"] = None
        display[f"requests.{row}.total"] = ""
        return
    digits = str(true)
    if len(digits) >= 2 and digits[-1] != digits[-2]:
        wrong = int(digits[:-2] + digits[-1] + digits[-2])  # transposed last digits
    else:
        wrong = true + rng.choice((1, 10, -1)) * rng.randint(1, 9)
    requests[row]["total"] = max(0, wrong)
    display.pop(f"requests.{row}.total", None)


def _facts(
    requests: dict[str, dict[str, int | None]], review: dict[str, dict[str, int | None]]
) -> dict[str, int]:
    def tot(row: str) -> int:
        return sum(requests[row][c] or 0 for c in APPLICANT_COLUMNS)

    facts = {row: tot(row) for row in requests}
    facts["denied"] = sum(v for k, v in facts.items() if k.startswith("denied_"))
    facts["unavailable"] = sum(v for k, v in facts.items() if k.startswith("unavailable_"))
    facts["rejected"] = sum(v for k, v in facts.items() if k.startswith("rejected_"))
    facts["other_all"] = sum(v for k, v in facts.items() if k.startswith("other"))
    facts["review"] = sum(review["review"][c] or 0 for c in REVIEW_COLUMNS[:4])
    facts["litigation"] = sum(
        review[b][c] or 0
        for b in ("litigation_direct", "litigation_after_review")
        for c in REVIEW_COLUMNS[:4]
    )
    facts["review_corrected"] = review["review"]["corrected"] or 0
    return facts


# --- relations ------------------------------------------------------------------------


def _v(x: Any) -> int | float:
    if x is None:
        return 0
    value: int | float = x
    return value


def relation_failures(truth: Truth) -> list[str]:
    """Every contract relation the printed values break (blank read as 0), in the
    wording of the corpus ground-truth files."""
    failures: list[str] = []
    req: dict[str, dict[str, Any]] = truth["requests"]
    single_other = "other" in req
    outcomes = outcome_rows(single_other)
    for c in REQUEST_COLUMNS:
        a, b = req["new_received"][c], req["carried_over"][c]
        t, f = req["total"][c], req["carried_forward"][c]
        if _v(a) + _v(b) != _v(t) + _v(f):
            blank = " (blank cell(s) involved)" if None in (a, b, t, f) else ""
            failures.append(
                f"A1 column {c}: new_received+carried_over = {_s(a)}+{_s(b)} = "
                f"{_v(a) + _v(b)} != total+carried_forward = {_s(t)}+{_s(f)} = "
                f"{_v(t) + _v(f)}{blank}"
            )
    for c in REQUEST_COLUMNS:
        s = sum(_v(req[r][c]) for r in outcomes)
        t = req["total"][c]
        if t is None and s != 0:
            failures.append(f"A2 column {c}: total blank but outcome rows sum to {s}")
        elif _v(t) != s:
            failures.append(f"A2 column {c}: total {t} != sum of outcome rows {s}")
    for r, cells in req.items():
        s = sum(_v(cells[c]) for c in APPLICANT_COLUMNS)
        t = cells["total"]
        if t is None and s != 0:
            failures.append(f"A3 row {r}: total column blank but applicant columns sum to {s}")
        elif _v(t) != s:
            failures.append(f"A3 row {r}: total {t} != sum of applicant columns {s}")
    for block in REVIEW_BLOCKS:
        cells = truth["review_litigation"][block]
        parts = [cells[c] for c in REVIEW_COLUMNS[:4]]
        s = sum(_v(p) for p in parts)
        t = cells["total"]
        if t is None and s != 0:
            failures.append(f"A4 {block}: total blank but upheld+corrected+other+pending = {s}")
        elif _v(t) != s:
            failures.append(
                f"A4 {block}: total {t} != upheld+corrected+other+pending = "
                + "+".join(_s(p) for p in parts)
                + f" = {s}"
            )
    return failures


def _s(x: Any) -> str:
    return "blank" if x is None else str(x)


# --- narrative ------------------------------------------------------------------------


def _fmt_num(x: float) -> str:
    if float(x).is_integer():
        return str(int(x))
    return f"{x:.6f}".rstrip("0").rstrip(".")


def _sections(
    rng: random.Random,
    template: Template,
    year: int,
    agency: str,
    short: str,
    compiler: str,
    kind: str,
    proactive: dict[str, dict[str, Any]],
    f: dict[str, int],
) -> dict[str, str]:
    we = "我" + short[0] if kind == "government" else short
    phone = f"0{rng.randint(510, 799)}-{rng.randint(80000000, 89999999)}"
    post = f"{rng.randint(1, 8)}{rng.randint(10000, 99999)}"
    road = rng.choice(("人民路", "府前街", "建设大道", "中山路", "文化路"))
    preface = (
        f"本报告由{compiler}根据《中华人民共和国政府信息公开条例》（国令第711号）"
        f"（以下简称《条例》）规定编制。报告所列统计期限自{year}年1月1日至{year}年12月31日。"
        f"本报告电子版可在{agency}门户网站“政府信息公开”专栏查阅或下载。"
        f"如对本报告有疑问，请与{compiler}联系（地址：{road}{rng.randint(1, 299)}号，"
        f"邮编：{post}，电话：{phone}）。"
    )
    n_info = rng.randint(300, 9000)
    docs = proactive["normative_documents"]
    doc_n = docs.get("issued", docs.get("new_published", 0)) or 0
    overview_lead = (
        f"{year}年，{we}坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落实"
        f"《条例》各项规定，围绕中心工作，不断提升政务公开质量和实效，"
        f"较好完成了年度各项工作任务。"
    )
    p1 = (
        f"（一）主动公开情况。{year}年，{we}通过政府门户网站主动公开政府信息{n_info}条，"
        f"其中政策文件{rng.randint(10, 300)}条、政策解读{rng.randint(5, 120)}条，"
        f"制发行政规范性文件{doc_n}件。围绕优化营商环境、民生保障等重点领域，"
        f"及时发布权威信息，主动回应社会关切。"
    )
    received = f["new_received"]
    if received == 0:
        p2 = f"（二）依申请公开情况。{year}年，{we}未收到政府信息公开申请。"
    else:
        p2 = (
            f"（二）依申请公开情况。{year}年，{we}共受理政府信息公开申请{received}件，"
            f"上年结转{f['carried_over']}件，办结{f['total']}件，"
            f"其中予以公开{f['granted']}件，部分公开{f['partially_granted']}件，"
            f"不予公开{f['denied']}件，无法提供{f['unavailable']}件，"
            f"不予处理{f['rejected']}件，其他处理{f['other_all']}件；"
            f"结转下年度继续办理{f['carried_forward']}件。"
        )
    if f["review"] or f["litigation"]:
        p2 += f"全年因政府信息公开被申请行政复议{f['review']}件，被提起行政诉讼{f['litigation']}件。"
    else:
        p2 += "全年未发生因政府信息公开引发的行政复议、行政诉讼案件。"
    p3 = (
        "（三）政府信息管理情况。严格落实信息发布“三审三校”制度，"
        f"全年对{rng.randint(20, 400)}件行政规范性文件开展清理，"
        "动态更新政府信息公开指南和目录，确保公开信息准确、规范。"
    )
    p4 = (
        "（四）政府信息公开平台建设情况。持续加强政府网站和政务新媒体建设管理，"
        f"全年开展常态化巡检{rng.randint(4, 52)}次，整改问题{rng.randint(0, 60)}个，"
        "优化“政策文件库”检索功能，提升平台集约化水平。"
    )
    p5 = (
        "（五）政府信息公开监督保障情况。将政务公开工作纳入年度绩效考核，"
        f"组织业务培训{rng.randint(1, 12)}次，"
        f"全年未发生因政务公开工作不力被追究责任的情况。"
    )
    problems = [
        (
            f"{year}年，{we}政府信息公开工作取得了一定成效，但仍存在一些不足："
            "一是政策解读形式较为单一，解读的通俗性有待提高；"
            "二是依申请公开答复的规范化水平仍需提升；"
            "三是基层政务公开专业人员力量较为薄弱。"
        ),
        (
            "下一步，将着力丰富政策解读形式，推行图解、视频等多元化解读；"
            "健全依申请公开办理工作机制，加强法律审核；"
            "定期组织业务培训，不断提升政务公开工作队伍能力和水平。"
        ),
    ]
    if template == "2019":
        other = ["无其他需要报告的事项。"]
    else:
        fee = rng.choice((0, 0, rng.randint(1, 60) * 10))
        if fee:
            other = [
                f"{year}年，{we}严格落实《政府信息公开信息处理费管理办法》，"
                f"全年收取政府信息公开信息处理费{fee}元。"
            ]
        else:
            other = [f"依据《政府信息公开信息处理费管理办法》，{year}年{we}未收取信息处理费。"]
        other.append(
            f"{year}年，{we}按要求落实年度政务公开工作要点，办理人大代表建议"
            f"{rng.randint(0, 80)}件、政协提案{rng.randint(0, 90)}件，办理结果均已按规定公开。"
        )
    return {
        "preface": preface,
        "overview": "\n".join((overview_lead, p1, p2, p3, p4, p5)),
        "problems": "\n".join(problems),
        "other": "\n".join(other),
    }


def _headings(rng: random.Random, variants: bool) -> dict[str, str]:
    heads = dict(SECTION_HEADINGS)
    if variants:
        for key, options in SECTION_HEADING_VARIANTS.items():
            heads[key] = rng.choice(options[1:])
    return heads


def _notes(template: Template, truth: Truth) -> str:
    parts = ["Synthetic sample made by samples.truth."]
    if template == "hybrid":
        parts.append("HYBRID layout: 2021 section 二 with a single （六）其他处理 row, keyed `other`.")
    nulls = sum(1 for raw in truth["display"].values() if raw in ("", "/", "—", "-", "无"))
    if nulls:
        parts.append(f"{nulls} cells are printed blank or as a dash and are null.")
    money = truth["display"].get("proactive.procurement.amount")
    if money:
        parts.append(f"Procurement amount printed as '{money}', value in 万元.")
    if truth["source_failures"]:
        parts.append("SOURCE FAILURES are deliberate: values are kept as printed.")
    return " ".join(parts)


def printed(truth: Truth, path: str) -> str:
    """The string printed for a cell: `display[path]`, else the plain value."""
    display: dict[str, str] = truth["display"]
    if path in display:
        return display[path]
    node: Any = truth
    for part in path.split("."):
        node = node[part]
    if node is None:
        return ""
    return _fmt_num(node) if isinstance(node, float) else str(node)


def proactive_keys(template: str) -> dict[str, tuple[str, ...]]:
    """The section 二 rows and columns for a truth's `report.template`."""
    return dict(PROACTIVE_2019 if template == "2019" else PROACTIVE_2021)
