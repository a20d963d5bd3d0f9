"""Spark NLP: runs only where pyspark, the spark-nlp package, Java and a local Spark NLP jar are all present.

Anywhere else the card is reported "not executed" with the first missing piece, never with invented output.
Where everything is present, a Spark session is started once per worker with the local jar and each card gets the
imports Spark NLP cards leave out (``from sparknlp.base import *`` ...). ``.pretrained()`` still needs its model
from the Spark NLP model store, which the sandbox cannot reach: such a run fails with the library's own error.
"""

from __future__ import annotations

import glob
import os
import shutil
from pathlib import Path

from ...card import Card
from .base import Runtime, WorkerPlan, missing_module
from ...settings import ExecuteSection

WARMUP = '''
import sparknlp
from pyspark.sql import SparkSession
spark = (SparkSession.builder.appName("modelhub").master("local[1]")
         .config("spark.jars", {jar!r}).config("spark.driver.memory", "2g")
         .config("spark.ui.enabled", "false").getOrCreate())
'''

PRELUDE = '''import sparknlp
from sparknlp.base import *
from sparknlp.annotator import *
from pyspark.ml import Pipeline
from pyspark.sql import SparkSession
import pyspark.sql.functions as F
spark = SparkSession.builder.getOrCreate()
'''


def find_jar(settings: ExecuteSection | None) -> str | None:
    """A local Spark NLP jar: ``[tool.modelhub.execute] sparknlp_jar``, $SPARK_NLP_JAR, or pyspark's jars folder."""
    for candidate in (settings.sparknlp_jar if settings else None, os.environ.get("SPARK_NLP_JAR")):
        if candidate and Path(candidate).is_file():
            return str(Path(candidate).resolve())
    try:
        import pyspark  # noqa: PLC0415 - only to find its folder

        jars = sorted(glob.glob(str(Path(pyspark.__file__).parent / "jars" / "spark-nlp*.jar")))
        return jars[-1] if jars else None
    except ImportError:
        return None


class SparkNlpRuntime(Runtime):
    name = "sparknlp"
    needs_artifact = False
    distributions = ("pyspark", "spark-nlp")
    description = "Spark NLP on a local Spark session"

    def unavailable_reason(self, settings: ExecuteSection) -> str | None:
        if missing_module("pyspark"):
            return "pyspark is not installed here (pip install pyspark spark-nlp, plus Java 8/11/17)"
        if missing_module("sparknlp"):
            return "the spark-nlp Python package is not installed here (pip install spark-nlp)"
        if not (shutil.which("java") or os.environ.get("JAVA_HOME")):
            return "no Java runtime here (Spark needs java on PATH or JAVA_HOME)"
        if find_jar(settings) is None:
            return ("no local Spark NLP jar (set [tool.modelhub.execute] sparknlp_jar or $SPARK_NLP_JAR; the sandbox "
                    "cannot download it)")
        return None

    def plan(self, root: Path, uid: int | None, artifact: Path | None, aliases: list[str],
             revision: str, settings: ExecuteSection | None = None) -> WorkerPlan:
        jar = find_jar(settings)
        return WorkerPlan(warmup=WARMUP.format(jar=jar) if jar else None)

    def prelude(self, card: Card) -> str | None:
        return PRELUDE

