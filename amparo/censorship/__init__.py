"""Censorship and shutdown context from OONI measurements: read them, reach verdicts.

`reader` streams OONI's JSON/JSONL (plain or gzip) into typed records; `analysis` turns each
record's raw observations into a verdict. Nothing here needs a workspace or the network.
"""
