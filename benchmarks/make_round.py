"""Build a "spring round" inbox: the annual reports a legal-affairs office receives, with gold.

python benchmarks/make_round.py OUT --half tune|test|all [--year 2024] [--seed 0] [--scale N]

Each report is a real opening from ../shared/corpus/fzbg_openings.jsonl, sent by its checked issuer
(seeds/audit/openings.metadata.jsonl) as saved pages, Word files and plain text under the names
offices see, some late, missing, sent twice or from bodies off the roster; OUT/gold.json says what
a reader should conclude. Halves split bodies by a hash of the name: tune and test share none.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import html
import io
import json
import random
import re
import zipfile
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import docx
import openpyxl
from docx.enum.text import WD_ALIGN_PARAGRAPH

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "seeds" / "openings.jsonl"  # the same file as ../shared/corpus/fzbg_openings.jsonl
METADATA = REPO / "seeds" / "audit" / "openings.metadata.jsonl"
# fmt: off
LEVELS = {"national": "国家", "provincial": "省级", "municipal": "市级", "county": "县级",
          "township": "乡镇"}
KINDS = {"government": "政府", "department": "部门", "party": "党组织"}
HEADER = ["名称", "简称/别名", "层级", "类型", "截止日期"]
FORMATS = (".html", ".docx", ".txt")
NAV = "".join(f'<li><a href="#">{x}</a></li>' for x in ["首页", "政务公开", "政务服务", "互动交流"])
# Short forms offices use for department names and national bodies.
ABBREV = {"人力资源和社会保障局": "人社局", "应急管理局": "应急局", "应急管理厅": "应急厅",
          "文化和旅游发展委员会": "文旅委", "卫生健康委": "卫健委", "卫生健康局": "卫健局",
          "教育委员会": "教委", "政务服务化数字化建设管理局": "政数局",
          "交通运输局": "交通局", "交通运输厅": "交通厅", "人民政府办公厅": "政府办公厅"}
NATIONAL = {"国家知识产权局": ["知识产权局", "国知局"], "海关总署": ["海关"],
            "交通运输部": ["交通部"]}
# Real county and township names, for the extra bodies of --scale (each gets its own place).
STEMS = [
    "安吉", "德清", "长兴", "桐乡", "海宁", "平湖", "嵊州", "新昌", "诸暨", "浦江", "武义", "磐安",
    "兰溪", "义乌", "东阳", "永康", "江山", "常山", "开化", "龙游", "遂昌", "松阳", "云和", "庆元",
    "景宁", "缙云", "青田", "永嘉", "平阳", "苍南", "文成", "泰顺", "瑞安", "乐清", "玉环", "三门",
    "天台", "仙居", "温岭", "临海", "宜兴", "溧阳", "金坛", "丹阳", "句容", "扬中", "泰兴", "靖江",
    "兴化", "如皋", "海安", "如东", "启东", "东台", "建湖", "射阳", "阜宁", "滨海", "响水", "涟水",
    "盱眙", "金湖", "宝应", "高邮", "仪征", "沭阳", "泗阳", "泗洪", "睢宁", "邳州", "新沂", "浏阳",
    "宁乡", "醴陵", "茶陵", "炎陵", "韶山", "湘乡", "衡东", "衡山", "祁东", "耒阳", "常宁", "邵东",
    "新邵", "隆回", "洞口", "绥宁", "新宁", "武冈", "平江", "汨罗", "临湘", "华容", "湘阴", "安乡",
    "汉寿", "临澧", "桃源", "石门", "慈利", "桑植", "桃江", "安化", "沅江", "永川", "江津", "合川",
    "南川", "潼南", "大足", "垫江", "云阳", "奉节", "巫山", "巫溪", "石柱", "秀山", "酉阳", "彭水",
    "武隆", "新津", "简阳", "崇州", "邛崃", "大邑", "蒲江", "金堂", "清溪", "石龙", "虎门", "塘厦",
    "凤岗", "樟木", "黄江", "常平", "横沥", "东坑", "企石", "石排", "茶山", "寮步", "大朗", "高埗",
    "麻涌", "洪梅", "道滘", "沙田", "厚街", "中堂",
]
# fmt: on
PLACE = re.compile(r"([\u4e00-\u9fff]{1,6}?)(自治区|街道|省|市|区|县|镇|乡)")
NOT_PLACE = ("政府", "局", "委", "厅", "部", "办", "署", "管理", "中心")


@dataclass
class Report:
    """One report as received: the source record under the name of the body that sent it."""

    rec: dict
    name: str
    places: dict[str, str]  # old place -> new place, for the --scale copies


def load_records() -> list[dict]:
    """Corpus records whose checked issuer is known, with the checked metadata merged in."""
    meta = {m["doc_id"]: m for m in map(json.loads, METADATA.read_text("utf-8").splitlines())}
    out = []
    for rec in map(json.loads, CORPUS.read_text("utf-8").splitlines()):
        m = meta[rec["doc_id"]]
        if m["issuer"]:
            out.append(rec | {k: m[k] for k in ("issuer", "issuer_kind", "level", "published")})
    return out


def half_of(name: str) -> str:
    """Stable half of a body: the same on every run and seed, so halves never share a body."""
    return "tune" if hashlib.sha256(name.encode()).digest()[0] % 2 == 0 else "test"


def places(name: str) -> list[tuple[int, str, str]]:
    """The place names heading a body's name, outermost first: (start, stem, suffix)."""
    out, pos = [], 2 if name.startswith("中共") else 0
    while True:
        pos += 4 if name.startswith("人民政府", pos) and out else 0
        m = PLACE.match(name, pos)
        if not m or any(w in m[1] for w in NOT_PLACE):
            return out
        out.append((pos, m[1], m[2]))
        pos = m.end()


def aliases(name: str, kind: str) -> list[str]:
    """Short forms an office writes for a body: generic first (区司法局), place-named last."""
    toks = places(name)
    if not toks:
        return NATIONAL.get(name, [name])
    start, stem, suffix = toks[-1]
    place, rest = stem + suffix, name[start + len(stem) + len(suffix) :]
    if kind == "government":
        if suffix in ("镇", "乡", "街道"):
            return [place, place + ("办" if suffix == "街道" else "政府")]
        return [suffix + "政府", place]
    short = ABBREV.get(rest.removesuffix("党组"), rest.removesuffix("党组"))
    short += "党组" if rest.endswith("党组") else ""
    return list(dict.fromkeys([suffix + rest, suffix + short, place + short]))


def moves(rec: dict) -> list[tuple[str, str]]:
    """Places a --scale copy may rename, innermost first, as (text to replace, suffix kept).

    Only places the text names, so a new name reads the same in roster, title and text."""
    if rec["level"] in ("national", "provincial") or rec["script"] != "simplified":
        return []
    out = []
    for _, stem, suffix in places(rec["issuer"])[::-1][:2]:
        tail = "" if len(stem) > 1 else suffix  # a one-character stem (赵县) only with its suffix
        if stem + tail not in rec["text"]:
            break
        out.append((stem + tail, tail))
    return out


def rename(rec: dict, k: int, stems: list[str]) -> tuple[str, dict[str, str]]:
    """The k-th new body like the record's: its innermost place renamed, then the one above."""
    name, moved = rec["issuer"], {}
    for (old, tail), i in zip(moves(rec), (k % len(stems), k // len(stems) - 1), strict=False):
        if i >= 0:
            name, moved[old] = name.replace(old, stems[i] + tail), stems[i] + tail
    return name, moved


DATE = r"(?<!\d)(\d{4})(\s?[-/.年]\s?)(\d{1,2})(\s?[-/.月]\s?)(\d{1,2})(日?)(?!\d)"


def rewrite(text: str, rep: Report, year: int, sent: dt.date) -> str:
    """Move the text to the round: places, then years; the page's own date becomes `sent`.

    Full dates of the year after the report (page dates, 成文日期) shift with the publication
    date so they stay in order; a range end such as (2021—2025年) is left alone.
    """
    for old, new in rep.places.items():
        text = text.replace(old, new)
    ry, pub = rep.rec["report_year"], rep.rec["published"]
    pub_day = dt.date.fromisoformat(pub) if pub else None

    def move(m: re.Match[str]) -> str:
        if m[7]:
            return str(int(m[7]) + year - ry)
        y, mo, d = int(m[1]), int(m[3]), int(m[5])
        try:
            day = dt.date(y, mo, d)
        except ValueError:
            return m[0]
        if y not in (ry, ry + 1):
            return m[0]
        if pub_day and (y == ry + 1 or day == pub_day):
            day = sent + (day - pub_day)
            y, mo, d = day.year, day.month, day.day
        else:
            y += year - ry
        return f"{y}{m[2]}{mo:0{len(m[3])}d}{m[4]}{d:0{len(m[5])}d}{m[6]}"

    return re.sub(rf"{DATE}|(?<![\d—–\-~至])({ry}|{ry + 1})(?=\s?年|〕)", move, text)


def fmt_day(day: dt.date, dashed: bool) -> str:
    return day.isoformat() if dashed else f"{day.year}年{day.month}月{day.day}日"


def write_html(
    path: Path, rep: Report, head: str, text: str, sent: dt.date, rng: random.Random
) -> None:
    """A saved government page: the date sits in the meta tags, a visible date line, or both."""
    site = rep.name + rng.choice(["门户网站", "网站", "政务网"])
    stamp = f"{sent.isoformat()} {rng.randint(8, 17):02d}:{rng.randint(0, 59):02d}"
    r = rng.random()
    meta = {"ArticleTitle": head, "PubDate": stamp, "ContentSource": rep.name} if r < 0.7 else {}
    metas = "".join(f'<meta name="{k}" content="{html.escape(v)}">\n' for k, v in meta.items())
    line = f'\n<div class="info">发布时间：{sent.isoformat()} 来源：{rep.name}</div>\n'
    line = line if r >= 0.4 else ""
    paras = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs(text))
    body_class = rng.choice(["TRS_Editor", "article-content", "zoom", "view-content"])
    site = html.escape(site)
    path.write_text(
        f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>{html.escape(head)}{rng.choice("_-")}{site}</title>
{metas}</head>
<body><div class="header"><div class="logo">{site}</div><ul class="nav">{NAV}</ul></div>
<div class="crumb">当前位置：<a href="#">首页</a> &gt; 政务公开 &gt; 法治政府建设</div>
<div class="article">{line}<div class="{body_class}">
{paras}
</div></div>
<div class="footer"><p>主办单位：{site}　版权所有</p>
<p>网站标识码：{rng.randint(10**9, 10**10 - 1)}</p></div>
</body></html>
""",
        encoding="utf-8",
    )


def write_docx(path: Path, rep: Report, title: str | None, text: str, sent: dt.date) -> None:
    """A Word file as a body sends it: title, paragraphs, signature block."""
    doc = docx.Document()
    if title:
        doc.add_paragraph(title).alignment = WD_ALIGN_PARAGRAPH.CENTER
    for p in paragraphs(text):
        doc.add_paragraph(p)
    for line in (rep.name, fmt_day(sent, False)):
        doc.add_paragraph(line).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    stamp = dt.datetime.combine(sent, dt.time(9))
    doc.core_properties.created = doc.core_properties.modified = stamp
    doc.core_properties.author = rep.name
    buf = io.BytesIO()
    doc.save(buf)
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(path, "w") as dst:
        for item in src.infolist():  # the report's date, not today's, so runs repeat byte for byte
            item.date_time = stamp.timetuple()[:6]
            dst.writestr(item, src.read(item.filename))


def paragraphs(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--half", choices=["tune", "test", "all"], required=True)
    ap.add_argument("--year", type=int, default=2024, help="the year reported on")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--scale", type=int, help="make this many reports instead of one per body")
    ap.add_argument(
        "--seeds",
        action="store_true",
        help="also send the whole seed reports of the round's year, their bodies on the roster",
    )
    return ap.parse_args(argv)


def pick_reports(
    mine: list[dict], scale: int | None, taken: set[str], rng: random.Random
) -> list[Report]:
    """One report per body; with --scale, further copies under renamed bodies."""
    reports = [Report(r, r["issuer"], {}) for r in mine]
    if scale is None or scale <= len(reports):
        return reports[:scale]
    used = set(taken)
    stems = [s for s in STEMS if not any(s in n for n in used)]
    queue = deque(r for r in mine if moves(r))
    at = {r["doc_id"]: rng.randrange(len(stems)) for r in queue}
    while len(reports) < scale:
        if not queue:
            raise SystemExit(f"--scale {scale}: ran out of place names at {len(reports)}")
        rec = queue.popleft()
        size = len(stems) * (len(stems) + 1 if len(moves(rec)) > 1 else 1)
        for _ in range(size):
            at[rec["doc_id"]] = k = (at[rec["doc_id"]] + 1) % size
            name, moved = rename(rec, k, stems)
            if name not in used and len(set(moved.values())) == len(moved):
                used.add(name)
                reports.append(Report(rec, name, moved))
                queue.append(rec)  # a record with names left stays in the rotation
                break
    return reports


def file_name(rep: Report, year: int, ext: str, says_name: bool, rng: random.Random) -> str:
    """A file name in a style offices receive, maybe in a folder named for the body."""
    names = aliases(rep.name, rep.rec["issuer_kind"])
    styles = [names[0], f"{names[-1]}{year}年报告", f"{rep.name}{year}年度报告", names[-1]]
    styles.append(f"关于报送{year}年度法治政府建设情况的报告（{names[0]}）")
    if says_name:  # nameless files only when the file itself says whose report it is
        styles += [f"{year}年法治政府建设年度报告", f"附件{rng.randint(1, 3)}"]
    stem = rng.choice(styles)
    in_folder = rng.random() < (0.5 if stem.startswith(("附件", str(year))) else 0.2)
    return f"{names[-1]}/{stem}{ext}" if in_folder else stem + ext


def write_roster(out: Path, rows: list[list[str]]) -> None:
    with (out / "roster.csv").open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows([HEADER, *rows])
    book = openpyxl.Workbook()
    book.active.title = "名单"
    for row in [HEADER, *rows]:
        book.active.append(row)
    book.save(out / "roster.xlsx")


# The whole seed reports, as an office would receive them: file name, and the roster's
# deadline for the body (seed 003's page is dated 2025-03-06, so its body is late).
SEED_FILES = {
    "000": ("区住更局.txt", ""),
    "001": ("关于报送2024年度法治政府建设情况的报告（区自然资源和城乡建设局）.txt", ""),
    "003": ("硚口区/2024年度法治政府建设情况报告.txt", "2025-03-01"),
    "004": ("秦州区住建局.txt", ""),
}
SEED_ALIASES = {"000": "区住更局", "001": "区自然资源和城乡建设局", "004": "区住建局"}


def add_seeds(out: Path, year: int, files: dict, state: dict) -> None:
    """Copy the seeds of `year` into the inbox and add their bodies to both roster files."""
    gold = {
        json.loads(line)["source"][:3]: json.loads(line)
        for line in (REPO / "seeds" / "audit" / "seeds.gold.jsonl").open(encoding="utf-8")
    }
    rows = []
    for number, (name, deadline) in SEED_FILES.items():
        meta = gold[number]["metadata"]
        if meta["year"] not in (None, year):
            continue
        source = next((REPO / "seeds").glob(f"{number}_*.txt"))
        path = out / "inbox" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
        body = meta["issuer"]
        rows.append([body, SEED_ALIASES.get(number, ""), LEVELS[meta["level"]],
                     KINDS[meta["issuer_kind"]], deadline])  # fmt: skip
        day = meta["published"] or meta["report_date"]
        late = day is not None and day > (deadline or f"{year + 1}-04-01")
        files[name] = {"body": body, "date": day, "late": late, "duplicate_of": None}
        files[name]["doc_id"] = f"seed_{number}"
        state[body] = {"state": "undated" if day is None else "late" if late else "on_time"}
        state[body]["files"] = [name]
    with (out / "roster.csv").open("a", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    book = openpyxl.load_workbook(out / "roster.xlsx")
    for row in rows:
        book.active.append(row)
    book.save(out / "roster.xlsx")


def main(argv: Sequence[str] | None = None) -> dict:
    """Write the round to OUT, print its counts and return its gold."""
    args = parse_args(argv)
    rng, year, out = random.Random(args.seed), args.year, args.out
    latest: dict[str, dict] = {}
    for rec in sorted(load_records(), key=lambda r: (r["report_year"], r["doc_id"])):
        latest[rec["issuer"]] = rec  # a body reports once a round: keep its latest report
    mine = [r for n, r in latest.items() if args.half in ("all", half_of(n))]
    others = [r for n, r in latest.items() if args.half not in ("all", half_of(n))]
    rng.shuffle(mine)
    reports = pick_reports(mine, args.scale, set(latest), rng)
    n = len(reports)
    order = [r.name for r in rng.sample(reports, n)]
    n_off = n_held = max(1, round(n * 0.11))
    off, held = set(order[:n_off]), set(order[n_off : n_off + n_held])
    sent = [r for r in reports if r.name not in held]
    can_dup = [r.name for r in sent if r.name not in off]
    twice = set(rng.sample(can_dup, min(len(can_dup), round(n * 0.09))))
    late = set(rng.sample([r.name for r in sent], round(len(sent) / 6)))
    on_roster = [r for r in reports if r.name not in off]
    # About 10 bodies of the other half report nothing; more when needed for a roster of 60.
    extra = rng.sample(others, min(len(others), max(10, 60 - len(on_roster))))
    bodies = [(r.name, r.rec) for r in on_roster] + [(r["issuer"], r) for r in extra]
    bodies.sort(key=lambda b: (list(LEVELS).index(b[1]["level"]), b[0]))
    deadlines = {
        name: dt.date(year + 1, rng.choice([1, 2, 2, 3, 3]), rng.choice([15, 20, 25, 28]))
        for name, _ in rng.sample(bodies, round(len(bodies) / 3))
    }
    rows = []
    for name, rec in bodies:
        day = deadlines.get(name)
        cells = [name, rng.choice("；、").join(aliases(name, rec["issuer_kind"]))]
        cells += [LEVELS[rec["level"]], KINDS[rec["issuer_kind"]]]
        rows.append([*cells, fmt_day(day, rng.random() < 0.5) if day else ""])
    (out / "inbox").mkdir(parents=True, exist_ok=True)
    write_roster(out, rows)

    files: dict[str, dict] = {}
    state: dict[str, dict] = {name: {"state": "missing", "files": []} for name, _ in bodies}

    def put(rep: Report, ext: str, day: dt.date, first: str | None, revised: bool) -> str:
        """Write one received file and record it in the gold."""
        rec = rep.rec
        title = rewrite(rec["title"], rep, year, day) if rec["title"] else None
        text = rewrite(rec["text"], rep, year, day)
        says = ext != ".html" or title is None or rep.name in title + text
        if first:
            rel = first.rsplit(".", 1)[0] + ("（修订稿）" if revised else "") + ext
        else:
            rel = file_name(rep, year, ext, says, rng)
        stem, i = rel.rsplit(".", 1)[0], 1
        while rel in files:
            rel, i = f"{stem}({i}){ext}", i + 1
        path = out / "inbox" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if ext == ".html":
            head = title or f"{rep.name}{year}年法治政府建设年度报告"
            write_html(path, rep, head, text, day, rng)
        elif ext == ".docx":
            write_docx(path, rep, title, text, day)
        else:
            body = (f"{title}\n\n" if title and title not in text else "") + text
            body += f"\n\n{rep.name}\n{fmt_day(day, False)}\n"
            path.write_text(body, encoding="gb18030" if rng.random() < 0.15 else "utf-8")
        is_late = day > deadlines.get(rep.name, dt.date(year + 1, 4, 1))
        body_name = None if rep.name in off else rep.name
        files[rel] = {"body": body_name, "date": day.isoformat(), "late": is_late}
        files[rel] |= {"duplicate_of": first, "doc_id": rec["doc_id"]}
        if body_name:
            state[body_name]["files"].append(rel)
            if not first:
                state[body_name]["state"] = "late" if is_late else "on_time"
        return rel

    formats = list(FORMATS) * (len(sent) // 3 + 1)
    rng.shuffle(formats)
    for rep, ext in zip(sent, formats, strict=False):
        deadline = deadlines.get(rep.name, dt.date(year + 1, 4, 1))
        if rep.name in late:
            day = deadline + dt.timedelta(days=rng.randint(1, 40))
        else:
            day = deadline - dt.timedelta(days=rng.randint(0, (deadline.month - 1) * 30 + 10))
        rel = put(rep, ext, day, None, False)
        if rep.name in twice:  # sent again: a 修订稿 of the same file, or in another format
            revised = rng.random() < 0.5
            again = ext if revised else rng.choice([e for e in FORMATS if e != ext])
            put(rep, again, day + dt.timedelta(days=rng.randint(0, 6)), rel, revised)

    if args.seeds:
        add_seeds(out, year, files, state)
    gold = {"year": year, "files": files, "bodies": state}
    (out / "gold.json").write_text(json.dumps(gold, ensure_ascii=False, indent=1), "utf-8")
    counts = {
        "bodies": len(state),
        "files": len(files),
        "missing": sum(s["state"] == "missing" for s in state.values()),
        "late": sum(s["state"] == "late" for s in state.values()),
        "duplicates": sum(f["duplicate_of"] is not None for f in files.values()),
        "not_on_roster": sum(f["body"] is None for f in files.values()),
    }
    (out / "README.md").write_text(readme(args, counts), "utf-8")
    print(" ".join(f"{k}={v}" for k, v in counts.items()))
    return gold


def readme(args: argparse.Namespace, counts: dict[str, int]) -> str:
    return f"""# Spring round {args.year + 1}: 法治政府建设年度报告 for {args.year}

Made by `python benchmarks/make_round.py {args.out.name} --half {args.half} --year {args.year} \
--seed {args.seed}{f" --scale {args.scale}" if args.scale else ""}`.

- `roster.csv` (UTF-8 with BOM) and `roster.xlsx`: the bodies that must report
  (名称, 简称/别名, 层级, 类型, 截止日期).
- `inbox/`: the files received, as .html (saved pages), .docx and .txt (UTF-8, a few GB18030).
- `gold.json`: for each file its body (`null` when the body is not on the roster), date, lateness,
  the file it duplicates and its source `doc_id`; for each roster body its state and files.

Deadline: a body's 截止日期 when the roster gives one, else {args.year + 1}-04-01, fzreport's
default rule (the 督察工作规定's 4月1日之前, the day itself on time). A report is late when its
date (the page's publication date for .html, the signature date for .docx/.txt) is after
the deadline. A body's state follows its first file; a body with no file is missing.

Counts: {", ".join(f"{k} {v}" for k, v in counts.items())}.
`missing`, `late`: roster bodies; `duplicates`, `not_on_roster`: files.
"""


if __name__ == "__main__":
    main()
