"""The measuring code that runs inside the sandboxed worker: load the model, time it, predict the evaluation set.

It takes a JSON-able request and returns a JSON-able answer, and imports nothing from modelhub beyond the timing
helpers and ``errors``, so the execution stage can run it wherever it runs card snippets. Metrics are computed by
the caller from the predictions returned here: the worker only measures.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import time
import traceback
from pathlib import Path
from typing import Any

from ..errors import BenchError
from .hardware import hardware, today, versions
from .speed import SHORT_TEXT, long_text, measure_latency

MARKER = "MODELHUB-BENCH-RESULT:"
DEFAULTS = {"batch_sizes": [1, 8, 32], "warmup": 1, "repetitions": 5, "eval_batch_size": 8,
            "max_length_cap": 512}


def rss_bytes(field: str = "VmRSS") -> int | None:
    """Resident memory of this process (VmRSS now, VmHWM the peak so far), from /proc; None elsewhere."""
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as handle:
            for line in handle:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    if field == "VmHWM":
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return None


def reset_peak_rss() -> bool:
    """Start the peak (VmHWM) afresh, so a worker that measured another card before reports this model's peak."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as handle:
            handle.write("5")
        return True
    except OSError:
        return False


class PeakSampler:
    """The highest VmRSS seen while it runs, sampled by a thread: the peak of one measurement in a worker that
    may not reset its kernel high-water mark (a sandboxed process cannot write /proc/self/clear_refs)."""

    def __init__(self, interval: float = 0.02) -> None:
        import threading

        self.interval = interval
        self.peak = rss_bytes() or 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="modelhub-peak-rss", daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.peak = max(self.peak, rss_bytes() or 0)

    def __enter__(self) -> PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_bytes() or 0)


class ProbeError(BenchError, RuntimeError):
    """The model cannot be measured as requested (missing tokenizer, unknown output...)."""


# ---- adapters: one small class per (runtime, task) ------------------------------------------------------------
class _Tokenized:
    tokenizer: Any
    max_length: int

    def count_tokens(self, text: str, truncate: bool = True) -> int:
        kwargs = {"truncation": True, "max_length": self.max_length} if truncate else {"verbose": False}
        return len(self.tokenizer(text, **kwargs)["input_ids"])


class TransformersClassifier(_Tokenized):
    def __init__(self, model_dir: str, max_length: int | None, cap: int) -> None:
        import torch
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        self.torch = torch
        self.tokenizer = AutoTokenizer.from_pretrained(model_dir)
        self.model = AutoModelForSequenceClassification.from_pretrained(model_dir).eval()
        config = self.model.config
        self.labels = [str(config.id2label.get(i, i)) for i in range(config.num_labels)]
        limit = _model_limit(self.tokenizer, getattr(config, "max_position_embeddings", None))
        self.max_length = min(x for x in (max_length or limit, limit, cap) if x)
        self.parameters = sum(p.numel() for p in self.model.parameters())

    def run(self, texts: list[str]) -> list[str]:
        encoded = self.tokenizer(texts, padding=True, truncation=True, max_length=self.max_length,
                                 return_tensors="pt")
        with self.torch.inference_mode():
            logits = self.model(**encoded).logits
        return [self.labels[i] for i in logits.argmax(dim=-1).tolist()]


class TransformersForward(_Tokenized):
    """Any other transformers model: the encoder's forward pass, for speed only (no quality without a task)."""

    def __init__(self, model_dir: str, max_length: int | None, cap: int) -> None:
        import torch
        from transformers import AutoModel, AutoTokenizer

        self.torch = torch
        self.tokenizer = AutoTokenizer.from_pretrained(model_dir)
        model = AutoModel.from_pretrained(model_dir).eval()
        config = model.config
        self.model = model.get_encoder() if getattr(config, "is_encoder_decoder", False) else model
        limit = _model_limit(self.tokenizer, getattr(config, "max_position_embeddings", None))
        self.max_length = min(x for x in (max_length or limit, limit, cap) if x)
        self.parameters = sum(p.numel() for p in model.parameters())
        self.labels: list[str] = []

    def run(self, texts: list[str]) -> Any:
        encoded = self.tokenizer(texts, padding=True, truncation=True, max_length=self.max_length,
                                 return_tensors="pt")
        with self.torch.inference_mode():
            return self.model(**encoded)


class SentenceEmbedder(_Tokenized):
    def __init__(self, model_dir: str, max_length: int | None, cap: int) -> None:
        from sentence_transformers import SentenceTransformer

        self.model = SentenceTransformer(model_dir, device="cpu")
        self.tokenizer = self.model.tokenizer
        limit = self.model.max_seq_length or _model_limit(self.tokenizer, None)
        self.max_length = min(x for x in (max_length or limit, limit, cap) if x)
        self.model.max_seq_length = self.max_length
        self.parameters = sum(p.numel() for p in self.model.parameters())
        self.labels: list[str] = []

    def run(self, texts: list[str]) -> Any:
        return self.model.encode(texts, batch_size=max(1, len(texts)), convert_to_numpy=True,
                                 show_progress_bar=False)


class OnnxModel(_Tokenized):
    """An ONNX graph with a Hugging Face tokenizer beside it (or named in the request)."""

    def __init__(self, model_path: str, task: str, max_length: int | None, cap: int,
                 tokenizer: str | None, output: str | None) -> None:
        import onnxruntime
        from transformers import AutoTokenizer

        path = Path(model_path)
        onnx_file = path if path.is_file() else next(iter(sorted(path.rglob("*.onnx"))), None)
        if onnx_file is None:
            raise ProbeError(f"no .onnx file in {model_path}")
        tokenizer_dir = tokenizer or str(onnx_file.parent)
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(tokenizer_dir)
        except Exception as error:  # noqa: BLE001
            where = "beside the .onnx file" if tokenizer is None else f"in {Path(tokenizer_dir).name}/"
            first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            raise ProbeError(f"the ONNX model has no usable tokenizer {where} ({first}); name one with "
                             "`tokenizer:` (a URL, mirror or pkg:// folder) in the card's benchmark entry") from error
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = int(os.environ.get("OMP_NUM_THREADS") or 1)
        self.session = onnxruntime.InferenceSession(str(onnx_file), options, providers=["CPUExecutionProvider"])
        self.inputs = {i.name for i in self.session.get_inputs()}
        self.output = output or self._pick_output(task)
        limit = _model_limit(self.tokenizer, None)
        self.max_length = min(x for x in (max_length or limit, limit, cap) if x)
        self.parameters = _onnx_parameters(onnx_file)
        self.task = task
        self.labels = []
        config = onnx_file.parent / "config.json"
        if config.is_file():
            id2label = json.loads(config.read_text(encoding="utf-8")).get("id2label") or {}
            self.labels = [str(id2label[k]) for k in sorted(id2label, key=int)]

    def _pick_output(self, task: str) -> str:
        outputs = self.session.get_outputs()
        if task == "classification":
            return next((o.name for o in outputs if o.name == "logits"), outputs[0].name)
        if task == "forward":
            return ""  # every output
        for rank in (2, 3):  # a pooled sentence embedding first, else token embeddings to mean-pool
            for o in outputs:
                if len(o.shape) == rank and isinstance(o.shape[-1], int) and o.shape[-1] > 1:
                    return o.name
        raise ProbeError("no embedding output in the ONNX graph; name one with `output:` in the benchmark entry")

    def run(self, texts: list[str]) -> Any:
        import numpy as np

        encoded = self.tokenizer(texts, padding=True, truncation=True, max_length=self.max_length,
                                 return_tensors="np")
        feed = {k: v.astype(np.int64) for k, v in encoded.items() if k in self.inputs}
        if not self.output:
            return self.session.run(None, feed)
        (result,) = self.session.run([self.output], feed)
        if self.task == "classification":
            indices = result.argmax(axis=-1).tolist()
            return [self.labels[i] if i < len(self.labels) else str(i) for i in indices]
        if result.ndim == 3:
            mask = encoded["attention_mask"][..., None].astype(result.dtype)
            result = (result * mask).sum(axis=1) / np.clip(mask.sum(axis=1), 1e-9, None)
        return result


def _model_limit(tokenizer: Any, positions: int | None) -> int | None:
    limit = getattr(tokenizer, "model_max_length", None)
    if not isinstance(limit, int) or limit > 100_000:
        limit = None
    candidates = [x for x in (limit, positions) if isinstance(x, int) and x > 0]
    return min(candidates) if candidates else None


def _onnx_parameters(path: Path) -> int:
    """Elements of the graph's float initializers (integer constants such as shapes are not parameters)."""
    import onnx

    model = onnx.load(str(path), load_external_data=False)
    floats = {onnx.TensorProto.FLOAT, onnx.TensorProto.FLOAT16, onnx.TensorProto.DOUBLE, onnx.TensorProto.BFLOAT16}
    total = 0
    for tensor in model.graph.initializer:
        if tensor.data_type in floats:
            count = 1
            for dim in tensor.dims:
                count *= dim
            total += count
    return total


def import_libraries(request: dict[str, Any]) -> None:
    """Import the runtime's libraries before the load clock starts: load time is the model's, not torch's."""
    if request["runtime"] == "onnx":
        modules = ("onnxruntime", "transformers")
    elif request["task"] == "similarity":
        modules = ("torch", "sentence_transformers")
    else:
        modules = ("torch", "transformers")
    for module in modules:
        importlib.import_module(module)


def load_adapter(request: dict[str, Any]) -> Any:
    runtime, task, model = request["runtime"], request["task"], request["model"]
    max_length, cap = request.get("max_length"), int(request.get("max_length_cap") or DEFAULTS["max_length_cap"])
    if runtime == "onnx":
        return OnnxModel(model, task, max_length, cap, request.get("tokenizer"), request.get("output"))
    if runtime in {"transformers", "sentence-transformers"}:
        if task == "classification":
            return TransformersClassifier(model, max_length, cap)
        if task == "similarity" and Path(model, "modules.json").is_file():
            return SentenceEmbedder(model, max_length, cap)
        if task == "similarity":
            raise ProbeError("similarity needs a sentence-transformers model folder (modules.json); "
                             "this one has none")
        return TransformersForward(model, max_length, cap)
    raise ProbeError(f"the benchmark probe has no adapter for runtime {runtime!r}")


# ---- the measurement --------------------------------------------------------------------------------------------
def run_probe(request: dict[str, Any]) -> dict[str, Any]:
    """Load, time and (when an evaluation set is given) predict; returns plain data."""
    settings = {**DEFAULTS, **(request.get("settings") or {})}
    _limit_threads()
    started = time.perf_counter()
    import_libraries(request)
    import_seconds = time.perf_counter() - started
    peak_reset = reset_peak_rss()
    rss_before = rss_bytes()
    with PeakSampler() as sampler:
        answer = _measure(request, settings)
    answer["import_seconds"] = round(import_seconds, 4)
    answer["memory"] = {
        "rss_before_load_bytes": rss_before, "rss_after_load_bytes": answer.pop("rss_after_load_bytes"),
        "peak_rss_bytes": rss_bytes("VmHWM") if peak_reset else sampler.peak,
        "peak_method": ("kernel high-water mark since the model load" if peak_reset
                        else f"VmRSS sampled every {sampler.interval * 1000:.0f} ms since the model load"),
    }
    answer["hardware"] = hardware()
    answer["versions"] = versions()
    answer["date"] = today()
    return answer


def _measure(request: dict[str, Any], settings: dict[str, Any]) -> dict[str, Any]:
    started = time.perf_counter()
    adapter = load_adapter({**request, "max_length_cap": settings["max_length_cap"]})
    load_seconds = time.perf_counter() - started
    answer: dict[str, Any] = {"load_seconds": round(load_seconds, 4), "rss_after_load_bytes": rss_bytes(),
                              "parameters": int(adapter.parameters), "max_length": adapter.max_length,
                              "labels": list(adapter.labels)}
    if request.get("speed", True):  # False: another card measured this model's speed already
        inputs = {"short": SHORT_TEXT,
                  "long": long_text(lambda t: adapter.count_tokens(t, False), adapter.max_length)}
        tokens = {name: adapter.count_tokens(text) for name, text in inputs.items()}
        answer["latency"] = measure_latency(adapter.run, inputs, [int(b) for b in settings["batch_sizes"]],
                                            warmup=int(settings["warmup"]), repetitions=int(settings["repetitions"]),
                                            token_counts=tokens)
    quality = request.get("quality") or {}
    batch = max(1, int(settings["eval_batch_size"]))
    if quality.get("texts"):
        texts = list(quality["texts"])
        started = time.perf_counter()
        predictions: list[str] = []
        for i in range(0, len(texts), batch):
            predictions.extend(str(p) for p in adapter.run(texts[i:i + batch]))
        answer["predictions"] = predictions
        answer["eval_seconds"] = round(time.perf_counter() - started, 4)
    elif quality.get("pairs"):
        import numpy as np

        pairs = quality["pairs"]
        started = time.perf_counter()
        left = np.concatenate([adapter.run([p[0] for p in pairs[i:i + batch]]) for i in range(0, len(pairs), batch)])
        right = np.concatenate([adapter.run([p[1] for p in pairs[i:i + batch]]) for i in range(0, len(pairs), batch)])
        norms = np.linalg.norm(left, axis=1) * np.linalg.norm(right, axis=1)
        cosine = (left * right).sum(axis=1) / np.clip(norms, 1e-12, None)
        answer["similarities"] = [round(float(x), 6) for x in cosine]
        answer["eval_seconds"] = round(time.perf_counter() - started, 4)
    return answer


def _limit_threads() -> None:
    """One thread unless the sandbox says otherwise, and no progress bars in the worker's output."""
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    try:
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        hf_logging.set_verbosity_error()
    except ImportError:
        pass
    threads = int(os.environ.get("OMP_NUM_THREADS") or 1)
    torch = sys.modules.get("torch")
    if torch is None:
        try:
            import torch
        except ImportError:
            return
    torch.set_num_threads(threads)


def probe_main(request_json: str) -> str:
    """One line for the caller to find in the worker's output: the marker and the JSON answer (or the error)."""
    try:
        answer = run_probe(json.loads(request_json))
    except Exception as error:  # noqa: BLE001 - the caller reports it as a failed measurement
        answer = {"error": f"{type(error).__name__}: {error}", "traceback": traceback.format_exc(limit=8)}
    return MARKER + json.dumps(answer, separators=(",", ":"))


def parse_answer(output: str) -> dict[str, Any] | None:
    """The answer printed by ``probe_main`` in a worker's stdout, or None when it never got that far."""
    for line in reversed(output.splitlines()):
        if line.startswith(MARKER):
            return json.loads(line[len(MARKER):])
    return None


if __name__ == "__main__":  # python -m generator.bench.probe < request.json
    print(probe_main(sys.stdin.read()))
