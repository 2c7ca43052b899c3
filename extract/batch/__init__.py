"""Batch runs: per-document shards, a supervised worker pool, a Dask engine, one published set.

A batch run finds the documents of a corpus (:mod:`.discover`), skips those whose shard is
current (:mod:`.shards`: key = file content + package code + ``patterns/`` + manifest entry),
extracts the rest one document per task (:func:`.tasks.run_task`, the same function for every
engine), each worker writing its document's shard as it finishes, and finally rebuilds the
merged tables from the shards, each checked against its index, and publishes them as one set
named with its checksums in ``published.json`` (:mod:`.publish`; readers verify it).  Faults of
the machine (the output folder failing, workers that cannot start) stop a run in one line
(:mod:`.faults`).

Engines: :mod:`.pool` (local processes, supervised: time and memory limits from
:mod:`.limits`, a dead worker is an error row) and :mod:`.dask_engine` (``dask.distributed``,
optional extra).  Local workers are forked from a server that loaded the rules once
(:mod:`.preload`) and ends without tearing them down (:mod:`.server_exit`).
"""
