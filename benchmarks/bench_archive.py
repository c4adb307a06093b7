"""Archive benchmark: build, add, search, stats, dashboard and serve RSS on a synthetic journal.

    python benchmarks/bench_archive.py                   # 10,000 reports (the targets' size)
    python benchmarks/bench_archive.py --reports 500     # smoke run, well under a minute
    python benchmarks/bench_archive.py --reports 100000  # a country's year: make bench COUNTRY=1
    python benchmarks/bench_archive.py --keep            # keep (and reuse) the generated journal

Figures, each against its target:

- `fzreport archive build DIR --full` from a finished journal, run as a command and measured
  from outside: wall time, and the peak resident memory of its whole process tree (the
  writer and the comparison process, sampled every 0.2 s) and of its largest process (GNU
  time's figure, where /usr/bin/time is installed): ≤ 60 s at 10,000 reports, ≤ 10 min and
  ≤ 4 GB at 100,000; time and memory should grow no faster than the reports;
- `fzreport archive build DIR` after 1,000 more reports land in the journal: it takes in
  only those, comparisons included: ≤ 30 s;
- `service.archive.query.search` p95 over 200 mixed queries on a read-only connection: ≤ 50 ms;
  and the slowest of the one-character and most common two-character queries: ≤ 300 ms;
- GET /v1/archive/stats and /archive/dashboard (Flask test client): ≤ 1 s each, for the
  second request (the worker draws the charts once per state of the store), with the first;
- RSS of the one worker of `fzreport serve --archive DIR --workers 1` after a stats call and a
  few searches: ≤ 300 MB.

The journal (`synthetic_journal`) resamples the records of one real batch over seeds/: see its
docstring. It is written under the system temp dir, named by report count and seed; `--keep`
leaves it there and reuses it on the next run (the batch and the generation take a while at
10,000 reports), otherwise it is deleted at the end.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_core import _ok  # noqa: E402
from benchmarks.bench_http import (  # noqa: E402
    free_port,
    percentile,
    serve_argv,
    stop_server,
    wait_ready,
)

TARGETS = {
    "build_s": 60.0,
    "build_s_country": 600.0,  # at COUNTRY reports
    "build_rss_mb": 4096.0,
    "add_s": 30.0,
    "search_p95_ms": 50.0,
    "search_worst_ms": 300.0,
    "page_s": 1.0,
    "rss_mb": 300.0,
}
COUNTRY = 100_000  # a country's year
ADDED = 1_000  # reports that land after the build
FULL_SIZE = 10_000  # the targets are set for this many reports

PLACES = [
    ("浙江省", "provincial"),
    ("湖北省", "provincial"),
    ("江苏省", "provincial"),
    ("四川省", "provincial"),
    ("杭州市", "municipal"),
    ("嘉兴市", "municipal"),
    ("湖州市", "municipal"),
    ("武汉市", "municipal"),
    ("宜昌市", "municipal"),
    ("南京市", "municipal"),
    ("苏州市", "municipal"),
    ("成都市", "municipal"),
    ("绵阳市", "municipal"),
    ("温州市", "municipal"),
    ("绍兴市", "municipal"),
    ("襄阳市", "municipal"),
    ("海宁市", "county"),
    ("桐乡市", "county"),
    ("平湖市", "county"),
    ("嘉善县", "county"),
    ("海盐县", "county"),
    ("德清县", "county"),
    ("长兴县", "county"),
    ("安吉县", "county"),
    ("硚口区", "county"),
    ("江汉区", "county"),
    ("洪山区", "county"),
    ("汉阳区", "county"),
    ("武昌区", "county"),
    ("青山区", "county"),
    ("江夏区", "county"),
    ("黄陂区", "county"),
    ("昆山市", "county"),
    ("常熟市", "county"),
    ("太仓市", "county"),
    ("吴江区", "county"),
    ("郫都区", "county"),
    ("双流区", "county"),
    ("新津区", "county"),
    ("彭州市", "county"),
    ("武汉经济技术开发区（汉南区）", "county"),
]
BODIES = [
    ("人民政府", "government"),
    ("政府", "government"),
    ("司法局", "department"),
    ("住房和城乡建设局", "department"),
    ("市场监督管理局", "department"),
    ("生态环境局", "department"),
    ("自然资源和规划局", "department"),
    ("公安局", "department"),
    ("教育局", "department"),
    ("卫生健康委员会", "department"),
    ("交通运输局", "department"),
    ("应急管理局", "department"),
    ("委员会", "party"),
]
# Characters swapped in when a paragraph is perturbed: common enough to read as a reworded
# clause, and never a sentence end, so the segmentation of the text does not change.
SWAP = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自"
    "二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变"
    "条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指"
    "几九区强放决西被干做必战先回则任取据处理府"
)


# -- the synthetic journal ---------------------------------------------------------------------


def seed_records(folder: Path) -> list[dict[str, Any]]:
    """The records of one real batch over seeds/ (the reports only, not the README)."""
    out = folder / "seedrun"
    journal = out / "results.jsonl"
    if not journal.is_file():
        argv = [
            sys.executable,
            "-m",
            "service.cli",
            "batch",
            str(ROOT / "seeds"),
            "--out",
            str(out),
            "--workers",
            "1",
            "--format",
            "jsonl",
        ]
        subprocess.run(argv, cwd=ROOT, check=True, capture_output=True)
    records = [json.loads(line) for line in journal.read_text("utf-8").splitlines() if line]
    return [r for r in records if r["status"] == "ok" and r["source"].endswith(".txt")]


def _perturb(text: str, rng: random.Random, changes: int) -> str:
    """`text` with `changes` random Chinese characters replaced by others."""
    chars = list(text)
    spots = [i for i, c in enumerate(chars) if "\u4e00" <= c <= "\u9fff"]
    for i in rng.sample(spots, min(changes, len(spots))):
        chars[i] = rng.choice(SWAP)
    return "".join(chars)


def _issuers(rng: random.Random, count: int = 300) -> list[tuple[str, str, str]]:
    """(name, level, kind) of `count` bodies; some are written with 中共 or 政府 variants.

    The first come from PLACES x BODIES; beyond those (533), bodies of made-up counties
    ("X Y 县", two characters from SWAP) are added, so that a large archive has as many
    bodies as a country's year rather than a few hundred bodies with dozens of reports each.
    """
    pairs = [(p, b) for p in PLACES for b in BODIES]
    rng.shuffle(pairs)
    seen = {p for p, _ in PLACES}
    while len(pairs) < count:
        place = f"{rng.choice(SWAP)}{rng.choice(SWAP)}县"
        if place not in seen:
            seen.add(place)
            pairs += [((place, "county"), b) for b in BODIES]
    out = []
    for (place, level), (body, kind) in pairs[:count]:
        name = f"中共{place}{body}" if kind == "party" else f"{place}{body}"
        out.append((name, level, kind))
    return out


BODY_YEARS = 7  # reports per body in the synthetic archive: one a year, 2019-2025


def synthetic_record(
    k: int,
    templates: list[dict[str, Any]],
    pools: dict[str, list[str]],
    problems: list[dict[str, Any]],
    issuers: list[tuple[str, str, str]],
    rng: random.Random,
) -> dict[str, Any]:
    """Report number `k`: a seed record's outline filled with resampled, perturbed text."""
    base = rng.choice(templates)
    text_of = base["text"]
    paragraphs: list[tuple[str, dict[str, Any]]] = []
    for p in base["paragraphs"]:
        if not p.get("heading") and rng.random() < 0.25:
            continue  # about 25 a report, as the seeds' 34 are more than most reports have
        body = text_of[p["start"] : p["end"]]
        label = p.get("label") or "achievements"
        if not p.get("heading") and rng.random() < 0.7 and pools.get(label):
            body = rng.choice(pools[label])  # resampled across the seed reports
        if not p.get("heading"):
            body = _perturb(body, rng, rng.choice((0, 1, 2, 3, 8)))
        paragraphs.append((body, p))
    while len(paragraphs) < 20:  # about 30 paragraphs a report with the problem items
        label = rng.choice(("achievements", "leadership", "plans"))
        meta = {"label": label, "confidence": 0.9, "heading": False}
        paragraphs.append((_perturb(rng.choice(pools[label]), rng, 3), meta))
    chosen = rng.sample(problems, min(5, len(problems)))
    spot = next(
        (i for i, (_, p) in enumerate(paragraphs) if p.get("label") == "shortcomings"),
        len(paragraphs) // 2,
    )
    items = []
    for item in chosen:
        body = _perturb(item["text"], rng, rng.choice((0, 1, 2, 4, 6)))
        meta = {"label": "shortcomings", "confidence": 0.9, "heading": False}
        items.append((body, meta, item))
    paragraphs[spot + 1 : spot + 1] = [(body, meta) for body, meta, _ in items]
    # Offsets rebuilt: paragraphs joined by newlines, start/end recomputed.
    texts, records, at = [], [], 0
    for body, meta in paragraphs:
        texts.append(body)
        records.append(
            {
                **{key: meta.get(key) for key in ("label", "confidence", "heading")},
                "start": at,
                "end": at + len(body),
            }
        )
        at += len(body) + 1
    text = "\n".join(texts)
    by_body = {id(meta): r for (_, meta), r in zip(paragraphs, records, strict=True)}
    audit_problems = []
    for body, meta, item in items:
        r = by_body[id(meta)]
        title = body.split("，")[0].split(",")[0][:40] if item.get("title") else None
        item = {key: v for key, v in item.items() if key != "plans"}
        audit_problems.append(
            {
                **item,
                "title": title or item.get("title"),
                "text": body,
                "start": r["start"],
                "end": r["end"],
            }
        )
    sentences = []
    for rank, (body, r) in enumerate(zip(texts, records, strict=True)):
        if r["heading"] or len(sentences) >= 8 or rank % 3:
            continue
        end = body.find("。")
        end = len(body) if end < 0 else end + 1
        sentences.append(
            {
                "text": body[:end],
                "score": 1.0,
                "rank": len(sentences) + 1,
                "start": r["start"],
                "end": r["start"] + end,
                "label": r["label"],
            }
        )
    name, level, kind = issuers[k % len(issuers)] if k % 11 else rng.choice(issuers)
    year = 2019 + (k // len(issuers) + k) % 7
    month, day = rng.choice((1, 2, 3, 3, 3, 4, 5)), rng.randint(1, 28)
    published = f"{year + 1}-{month:02d}-{day:02d}" if rng.random() < 0.9 else None
    status = "unknown" if published is None else ("on_time" if month < 4 else "late")
    audit = json.loads(json.dumps(base["audit"]))
    audit["metadata"] = {
        "title": f"{name}{year}年度法治政府建设情况报告",
        "issuer": name,
        "issuer_kind": kind,
        "level": level,
        "year": year,
        "report_date": published,
        "published": published,
        "evidence": {},
    }
    audit["timeliness"] = {
        **audit["timeliness"],
        "status": status,
        "date": published,
        "deadline": f"{year + 1}-04-01",
    }
    audit["problems"] = audit_problems
    audit["plans"] = []
    sections: dict[str, int] = {}
    for r in records:
        sections[r["label"]] = sections.get(r["label"], 0) + 1
    return {
        **{key: base[key] for key in ("encoding", "keywords", "structured")},
        "source": f"synthetic/{k:05d}.txt",
        "sha256": f"{k:064x}",
        "chars": len(text),
        "status": "ok",
        "sentences": sentences,
        "sections": sections,
        "figures": [],
        "audit": audit,
        "text": text,
        "paragraphs": records,
    }


def _material(
    folder: Path,
) -> tuple[list[dict[str, Any]], dict[str, list[str]], list[dict[str, Any]]]:
    """The seed records, their body paragraphs by label and their problem items."""
    templates = seed_records(folder)
    pools: dict[str, list[str]] = {}
    problems = []
    for r in templates:
        for p in r["paragraphs"]:
            body = r["text"][p["start"] : p["end"]]
            if not p.get("heading") and len(body) > 20:
                pools.setdefault(p.get("label") or "achievements", []).append(body)
        problems += r["audit"].get("problems") or []
    return templates, pools, problems


def synthetic_journal(folder: Path, count: int, seed: int = 1) -> Path:
    """Write FOLDER/results.jsonl of `count` records resampled from a real batch over seeds/.

    Each record takes a random seed record's outline (paragraph labels and headings) and
    keeps three in four of its body paragraphs (at least 20 paragraphs), fills 70% of them
    with a paragraph of the same label from any seed report,
    then replaces 0-8 random characters of each; it gets five problem items drawn from all the
    seeds' items (each with 0-6 characters replaced), as shortcomings paragraphs. "text" is
    the paragraphs joined by newlines and every start/end (paragraphs, problems, sentences)
    is recomputed for it. Metadata: one of max(300, count / 7) issuers (`_issuers`; 中共 and
    政府 spellings included), mostly one report a year each, 2019-2025, published in
    January-May of the next year (10% unknown), so timeliness is on time, late or unknown.
    About 30 paragraphs and 5 problems a report: 300,000 and 50,000 at 10,000 reports.
    """
    journal = folder / "results.jsonl"
    if journal.is_file() and journal.with_suffix(".done").is_file():
        return journal
    rng = random.Random(seed)
    templates, pools, problems = _material(folder)
    issuers = _issuers(rng, max(300, count // BODY_YEARS))
    with journal.open("w", encoding="utf-8") as out:
        for k in range(count):
            record = synthetic_record(k, templates, pools, problems, issuers, rng)
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    journal.with_suffix(".done").touch()
    return journal


def append_records(folder: Path, count: int, seed: int) -> None:
    """Append `count` reports of new sources to FOLDER/results.jsonl, as a batch adds them."""
    journal = folder / "results.jsonl"
    with journal.open("rb") as stream:
        existing = sum(1 for _ in stream)
    rng = random.Random(f"{seed}-added-{existing}")
    templates, pools, problems = _material(folder)
    issuers = _issuers(rng, max(300, count // BODY_YEARS))
    with journal.open("a", encoding="utf-8") as out:
        for k in range(existing, existing + count):
            record = synthetic_record(k, templates, pools, problems, issuers, rng)
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


# -- measurements ------------------------------------------------------------------------------


def run_measured(argv: list[str]) -> dict[str, Any]:
    """Run a command; its wall time, exit status and peak resident memory: of its whole process
    tree (sampled every 0.2 s) and, where GNU time is installed, of its largest process."""
    gnu_time = Path("/usr/bin/time")
    report = Path(tempfile.mkstemp(suffix=".time")[1])
    if gnu_time.exists():
        argv = [str(gnu_time), "-f", "%M", "-o", str(report), *argv]
    start = time.perf_counter()
    process = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    root, peak = psutil.Process(process.pid), 0
    while process.poll() is None:
        try:
            tree = [root, *root.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
        except psutil.Error:
            pass
        time.sleep(0.2)
    seconds = time.perf_counter() - start
    out = process.stdout.read().decode("utf-8", "replace") if process.stdout else ""
    largest = report.read_text().strip().splitlines()[-1] if gnu_time.exists() else ""
    report.unlink(missing_ok=True)
    return {
        "status": process.returncode,
        "seconds": round(seconds, 1),
        "tree_rss_mb": round(peak / 2**20),
        "largest_rss_mb": round(int(largest) / 1024) if largest.isdigit() else None,
        "output": out.strip(),
    }


def time_build(folder: Path) -> dict[str, Any]:
    """`fzreport archive build DIR --full`, measured from outside, with the store's counts."""
    from service.archive import store, write

    figures = run_measured(
        [sys.executable, "-m", "service.cli", "archive", "build", str(folder), "--full"]
    )
    with store.open_store(folder, readonly=True) as conn:
        figures["counts"] = write.table_counts(conn)
        row = conn.execute("SELECT value FROM stats WHERE key = 'compare_status'").fetchone()
        figures["compare"] = json.loads(row[0]) if row else None
    return figures


def time_add(folder: Path, count: int, seed: int) -> dict[str, Any]:
    """Append `count` new reports to the journal and run `fzreport archive build DIR`."""
    append_records(folder, count, seed)
    figures = run_measured([sys.executable, "-m", "service.cli", "archive", "build", str(folder)])
    figures["added"] = count
    return figures


def queries(rng: random.Random, issuers: list[str], n: int = 200) -> list[dict[str, Any]]:
    """`n` search calls: words, phrases, filtered ones and hostile input."""
    words = ["执法", "复议", "法治", "政府", "公开", "诉讼", "普法", "监督", "改革", "律师"]
    phrases = [
        "行政复议",
        "法治政府建设",
        "行政执法",
        "依法行政",
        "政务公开",
        "法律顾问",
        "习近平法治思想",
        "行政规范性文件",
        "执法人员素质",
        "矛盾纠纷 化解",
    ]
    hostile = [
        '"',
        "AND OR NOT",
        "*",
        "NEAR(执法",
        '法治"; DROP TABLE reports; --',
        "x" * 5000,
        "执" * 3000,
        "(((",
        "^执法",
        "  ",
        "法",
        "a:b",
        "行政-复议",
    ]
    labels = ["achievements", "shortcomings", "plans", "leadership"]
    levels = ["provincial", "municipal", "county"]
    out = []
    for k in range(n):
        kind = k % 5
        if kind == 0:
            call: dict[str, Any] = {"q": rng.choice(words)}
        elif kind == 1:
            call = {"q": rng.choice(phrases)}
        elif kind == 2:
            call = {
                "q": rng.choice(words + phrases),
                "label": rng.choice(labels),
                "year": rng.randint(2019, 2025),
            }
        elif kind == 3:
            call = {
                "q": rng.choice(words + phrases),
                "issuer": rng.choice(issuers),
                "level": rng.choice(levels),
            }
        else:
            call = {"q": rng.choice(hostile)}
        out.append(call)
    return out


# The queries with the most hits: a single character (a prefix of every bigram it opens) and
# the commonest words of these reports.
WORST = ["法", "政", "治", "的", "法治", "政府", "工作", "推进", "建设", "依法"]


def time_search(folder: Path) -> dict[str, Any]:
    from service.archive import query, store

    conn = store.open_store(folder, readonly=True)
    try:
        issuers = [r[0] for r in conn.execute("SELECT DISTINCT issuer FROM reports LIMIT 50")]
        calls = queries(random.Random(3), issuers)
        query.search(conn, "法治")  # warm the page cache
        latencies, hits = [], 0
        for call in calls:
            start = time.perf_counter()
            hits += len(query.search(conn, **call)["hits"])
            latencies.append(time.perf_counter() - start)
        worst = {}
        for q in WORST:
            start = time.perf_counter()
            found = query.search(conn, q)
            worst[q] = (round((time.perf_counter() - start) * 1000, 1), found["total"])
    finally:
        conn.close()
    slowest = max(worst, key=lambda q: worst[q][0])
    return {
        "queries": len(calls),
        "hits": hits,
        "p50_ms": round(percentile(latencies, 50) * 1000, 1),
        "p95_ms": round(percentile(latencies, 95) * 1000, 1),
        "max_ms": round(max(latencies) * 1000, 1),
        "worst_query": slowest,
        "worst_ms": worst[slowest][0],
        "worst": worst,
    }


def time_pages(folder: Path) -> dict[str, Any]:
    """GET /v1/archive/stats and /archive/dashboard through the Flask test client."""
    from service.app import create_app

    app = create_app({"ARCHIVE_DIR": str(folder)})  # warmed up, as `serve` starts it
    routes = {rule.rule for rule in app.url_map.iter_rules()}
    client = app.test_client()
    out: dict[str, Any] = {}
    for name, path in (("stats", "/v1/archive/stats"), ("dashboard", "/archive/dashboard")):
        if path not in routes:
            out[name] = None
            continue
        start = time.perf_counter()
        client.get(path)  # first call: imports, template compilation, the charts drawn
        first = time.perf_counter() - start
        start = time.perf_counter()
        response = client.get(path)
        seconds = time.perf_counter() - start
        out[name] = {
            "status": response.status_code,
            "seconds": round(seconds, 3),
            "first_s": round(first, 3),
            "kb": round(len(response.data) / 1024),
        }
    return out


def serve_rss(folder: Path) -> dict[str, Any]:
    """RSS of the worker of `fzreport serve --archive DIR --workers 1` after a few requests."""
    import http.client
    from urllib.parse import quote

    port = free_port()
    argv = serve_argv(port, "--workers", "1", "--archive", str(folder), "--quiet")
    process = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        ready = wait_ready(port, process, limit=180)
        paths = ["/v1/archive/stats"] + [
            f"/v1/archive/search?q={quote(q)}" for q in ("法治", "行政复议", "执法人员", "公开")
        ]
        statuses = []
        for path in paths:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            statuses.append(response.status)
            conn.close()
        workers = psutil.Process(process.pid).children(recursive=True)
        rss = [round(p.memory_info().rss / 2**20, 1) for p in workers]
        master = round(psutil.Process(process.pid).memory_info().rss / 2**20, 1)
    finally:
        stop_server(process)
    return {
        "ready_s": round(ready, 2),
        "statuses": statuses,
        "worker_rss_mb": rss,
        "master_rss_mb": master,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=FULL_SIZE)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep and reuse the journal")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args(argv)
    folder = Path(tempfile.gettempdir()) / f"fzreport-bench-archive-{args.reports}-{args.seed}"
    folder.mkdir(parents=True, exist_ok=True)
    try:
        start = time.perf_counter()
        synthetic_journal(folder, args.reports, args.seed)
        figures: dict[str, Any] = {
            "reports": args.reports,
            "cpus": psutil.cpu_count(),
            "journal_s": round(time.perf_counter() - start, 1),
            "journal_mb": round((folder / "results.jsonl").stat().st_size / 2**20),
        }
        figures["build"] = time_build(folder)
        figures["search"] = time_search(folder)
        figures["pages"] = time_pages(folder)
        figures["serve"] = serve_rss(folder)
        figures["add"] = time_add(folder, ADDED, args.seed)
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    report(figures, folder if args.keep else None)
    if args.json:
        args.json.write_text(json.dumps(figures, ensure_ascii=False, indent=2) + "\n", "utf-8")
    return 0


def report(figures: dict[str, Any], kept: Path | None) -> None:
    n = figures["reports"]
    scale = "" if n == FULL_SIZE else f" (targets are for {FULL_SIZE:,} reports)"
    build, search = figures["build"], figures["search"]
    counts = build["counts"]
    print(
        f"archive benchmark: {n:,} reports, {counts['paragraphs']:,} paragraphs, "
        f"{counts['problems']:,} problem items, {figures['cpus']} cores{scale}"
    )
    print(
        f"  journal          {figures['journal_mb']} MB, ready in {figures['journal_s']} s"
        + (f" (kept in {kept})" if kept else "")
    )
    build_target = TARGETS["build_s_country" if n >= COUNTRY else "build_s"]
    compare = build["compare"] or {}
    print(
        f"  build            {build['seconds']:.1f} s (target ≤ {build_target:.0f} s) "
        f"{_ok(build['seconds'] <= build_target and build['status'] == 0)}, exit "
        f"{build['status']}, comparisons {compare.get('state')} in "
        f"{compare.get('seconds', float('nan')):.1f} s"
    )
    print(
        f"  build memory     {build['tree_rss_mb']} MB the whole process tree, "
        f"{build['largest_rss_mb']} MB its largest process "
        f"(target ≤ {TARGETS['build_rss_mb']:.0f} MB) "
        f"{_ok(build['tree_rss_mb'] <= TARGETS['build_rss_mb'])}"
    )
    add = figures["add"]
    said = add["output"].splitlines()[-1] if add["output"] else ""
    print(
        f"  add {add['added']:,} reports {add['seconds']:.1f} s "
        f"(target ≤ {TARGETS['add_s']:.0f} s) "
        f"{_ok(add['seconds'] <= TARGETS['add_s'] and add['status'] == 0)}, "
        f"exit {add['status']}, {add['tree_rss_mb']} MB; {said}"
    )
    print(
        f"  search p95       {search['p95_ms']} ms over {search['queries']} queries "
        f"(target ≤ {TARGETS['search_p95_ms']:.0f} ms) "
        f"{_ok(search['p95_ms'] <= TARGETS['search_p95_ms'])}; p50 {search['p50_ms']} ms, "
        f"max {search['max_ms']} ms"
    )
    print(
        f"  search worst     {search['worst_ms']} ms for {search['worst_query']!r} "
        f"({search['worst'][search['worst_query']][1]:,} hits; target ≤ "
        f"{TARGETS['search_worst_ms']:.0f} ms) "
        f"{_ok(search['worst_ms'] <= TARGETS['search_worst_ms'])}"
    )
    for name, path in (("stats", "/v1/archive/stats"), ("dashboard", "/archive/dashboard")):
        page = figures["pages"][name]
        if page is None:
            print(f"  {path:<20}not available")
            continue
        print(
            f"  {path:<20}{page['seconds']:.3f} s ({page['first_s']:.3f} s for the first), "
            f"HTTP {page['status']}, {page['kb']} kB "
            f"(target ≤ {TARGETS['page_s']:.0f} s) "
            f"{_ok(page['status'] == 200 and page['seconds'] <= TARGETS['page_s'])}"
        )
    serve = figures["serve"]
    worst = max(serve["worker_rss_mb"], default=float("nan"))
    print(
        f"  serve RSS        worker {worst:.0f} MB (target ≤ {TARGETS['rss_mb']:.0f} MB) "
        f"{_ok(worst <= TARGETS['rss_mb'])}; master {serve['master_rss_mb']:.0f} MB, "
        f"HTTP {serve['statuses']}, ready in {serve['ready_s']} s"
    )


if __name__ == "__main__":
    raise SystemExit(main())
