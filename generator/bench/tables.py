"""The benchmark record as Markdown for the model page, and as the JSL-style Benchmarking block for the card."""

from __future__ import annotations

from typing import Any

from .. import __version__
from ..records import BenchStatus, status_of


def _num(value: Any, digits: int = 4) -> str:
    if value is None:
        return "–"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:.{digits}f}"


def _bytes(value: Any) -> str:
    if not value:
        return "–"
    size = float(value)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def provenance(bench: dict[str, Any]) -> str:
    """Where and when the numbers were measured, in one line."""
    hw = bench.get("hardware") or {}
    versions = bench.get("versions") or {}
    libs = ", ".join(f"{name} {versions[name]}" for name in ("torch", "transformers", "sentence-transformers",
                                                               "onnxruntime") if name in versions)
    gpu = f", GPU {hw['gpu']}" if hw.get("gpu") else ", no GPU"
    threads = f", {hw['torch_threads']} thread(s)" if hw.get("torch_threads") else ""
    date = str(bench.get("date") or "")[:10]
    return (f"Measured by modelhub on {date} on {hw.get('cpu', 'unknown CPU')} ({hw.get('cores', '?')} cores"
            f"{threads}{gpu}); {libs or 'library versions unknown'}.")


def speed_markdown(bench: dict[str, Any]) -> str:
    speed = bench.get("speed") or {}
    if not speed:
        return ""
    memory = speed.get("memory") or {}
    lines = [
        "| Load time | Parameters | Artifact size | Peak memory (RSS) | Max length |",
        "|---:|---:|---:|---:|---:|",
        f"| {_num(speed.get('load_seconds'), 2)} s | {_num(speed.get('parameters'))} | "
        f"{_bytes(speed.get('artifact_bytes'))} | {_bytes(memory.get('peak_rss_bytes'))} | "
        f"{_num(speed.get('max_length'))} tokens |",
        "",
        "| Input | Tokens | Batch size | p50 latency | p95 latency | Throughput |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for row in speed.get("latency") or []:
        lines.append(f"| {_cell(row['input'])} | {_num(row.get('tokens'))} | {row['batch_size']} | "
                     f"{_num(row['p50_ms'], 1)} ms | {_num(row['p95_ms'], 1)} ms | "
                     f"{_num(row.get('samples_per_second'), 1)} samples/s |")
    reps = {row.get("repetitions") for row in speed.get("latency") or []}
    settings = bench.get("settings") or {}
    lines += ["", f"Medians of {', '.join(str(r) for r in sorted(r for r in reps if r))} timed repetitions after "
                  f"{settings.get('warmup', 1)} warm-up call(s). {provenance(bench)}"]
    return "\n".join(lines) + "\n"


def dataset_sentence(quality: dict[str, Any]) -> str:
    data = quality.get("dataset") or {}
    used, rows = data.get("used"), data.get("rows")
    sample = f"{used} of {rows} rows (seed {data.get('seed', 0)})" if data.get("sampled") else f"all {rows} rows"
    split = f", split {data['split']}" if data.get("split") else ""
    note = f" {data['note']}" if data.get("note") else ""
    return f"Evaluated on `{data.get('source', data.get('dataset', '?'))}`{split}: {sample}.{note}"


def quality_markdown(bench: dict[str, Any]) -> str:
    quality = bench.get("quality") or {}
    if not quality:
        return ""
    if quality.get("error"):
        return f"Quality not measured: {quality['error']}\n"
    lines = [dataset_sentence(quality), ""]
    metrics = quality.get("metrics") or {}
    if quality.get("kind") == "similarity":
        lines += ["| Metric | Value |", "|---|---:|"]
        lines += [f"| {_cell(name)} | {_num(value)} |" for name, value in metrics.items()]
        return "\n".join(lines) + "\n"
    lines += ["| Label | Precision | Recall | F1 | Support |", "|---|---:|---:|---:|---:|"]
    for label, values in (quality.get("per_label") or {}).items():
        lines.append(f"| {_cell(label)} | {_num(values['precision'])} | {_num(values['recall'])} | "
                     f"{_num(values['f1'])} | {values['support']} |")
    samples = quality.get("samples")
    lines.append(f"| **accuracy** | | | {_num(metrics.get('accuracy'))} | {samples} |")
    for average in ("macro", "micro", "weighted"):
        lines.append(f"| **{average} avg** | {_num(metrics.get(f'{average}_avg_precision'))} | "
                     f"{_num(metrics.get(f'{average}_avg_recall'))} | {_num(metrics.get(f'{average}_avg_f1'))} | "
                     f"{samples} |")
    labels = quality.get("labels") or []
    matrix = quality.get("confusion_matrix") or []
    if labels and matrix:
        lines += ["", "Confusion matrix (rows: true label, columns: predicted label):", "",
                  "| true \\ predicted | " + " | ".join(_cell(label) for label in labels) + " |",
                  "|---|" + "---:|" * len(labels)]
        for label, counts in zip(labels, matrix):
            lines.append(f"| {_cell(label)} | " + " | ".join(str(c) for c in counts) + " |")
    if quality.get("eval_samples_per_second"):
        lines += ["", f"Evaluation throughput: {_num(quality['eval_samples_per_second'], 1)} samples/s."]
    return "\n".join(lines) + "\n"


def claims_markdown(bench: dict[str, Any]) -> str:
    claims = bench.get("claims") or []
    if not claims:
        return ""
    lines = ["| Metric | Card claims | Measured | Difference | Within tolerance |", "|---|---:|---:|---:|---|"]
    for claim in claims:
        name = f"{claim['metric']} ({claim['label']})" if claim.get("label") else claim["metric"]
        verdict = "yes" if claim["within"] else f"**no** (±{claim['tolerance']:g})"
        lines.append(f"| {_cell(name)} | {_num(claim['claimed'])} | {_num(claim['measured'])} | "
                     f"{round(claim['difference'], 4) or 0.0:+.4f} | {verdict} |")
    return "\n".join(lines) + "\n"


def bench_markdown(bench: dict[str, Any] | None) -> str:
    """The whole benchmark section of a model page: status, speed, quality, claims; honest about what is missing."""
    if not bench:
        return ""
    status = bench.get("status")
    if status != "measured":
        reason = bench.get("reason") or "no stored measurement"
        return f"**Not measured.** {reason}\n"
    parts = ["### Speed\n", speed_markdown(bench)]
    if bench.get("quality"):
        parts += ["\n### Quality\n", quality_markdown(bench)]
    else:
        parts += ["\n### Quality\n", "Not measured: the card declares no evaluation set (front matter "
                                        "`benchmark:`).\n"]
    if bench.get("claims"):
        parts += ["\n### Claimed vs measured\n", claims_markdown(bench)]
    return "\n".join(p.rstrip("\n") + "\n" for p in parts if p)


def jsl_block(bench: dict[str, Any]) -> str | None:
    """The Benchmarking block text in the layout JSL cards use (the sklearn report), or None without quality.

    The first line says it was measured, by what, on which data; the card parser reads the rest back as the claim.
    """
    quality = bench.get("quality") or {}
    if status_of(bench, BenchStatus) is not BenchStatus.MEASURED or not quality.get("metrics"):
        return None
    data = quality.get("dataset") or {}
    head = (f"# measured by modelhub {__version__} on {str(bench.get('date') or '')[:10]}: "
            f"{data.get('source', data.get('dataset', '?'))}, {quality.get('samples')} rows")
    metrics = quality["metrics"]
    if quality.get("kind") == "similarity":
        width = max(len(name) for name in metrics) + 2
        rows = [f"{'metric'.ljust(width)}value"]
        rows += [f"{name.ljust(width)}{_num(value)}" for name, value in metrics.items() if value is not None]
        return "\n".join([head, *rows]) + "\n"
    per_label = quality.get("per_label") or {}
    names = [*per_label, "accuracy", "macro avg", "weighted avg", "label"]
    width = max(len(name) for name in names) + 2
    samples = quality.get("samples")

    def row(name: str, p: Any, r: Any, f: Any, s: Any) -> str:
        return f"{name.ljust(width)}{p:>10}{r:>10}{f:>10}{s:>10}".rstrip()

    rows = [row("label", "precision", "recall", "f1-score", "support")]
    rows += [row(label, _num(v["precision"]), _num(v["recall"]), _num(v["f1"]), v["support"])
             for label, v in per_label.items()]
    rows.append(row("accuracy", "", "", _num(metrics["accuracy"]), samples))
    for average in ("macro", "weighted"):
        rows.append(row(f"{average} avg", _num(metrics[f"{average}_avg_precision"]),
                        _num(metrics[f"{average}_avg_recall"]), _num(metrics[f"{average}_avg_f1"]), samples))
    return "\n".join([head, *rows]) + "\n"
