"""Benchmarks: measured speed and quality for every runnable model, checked against what its card claims.

Speed and quality are measured inside the execution stage's sandboxed worker (``probe`` is the code that runs
there); everything else here is pure: metrics from predictions, claims against the card, tables and the chart.
"""
