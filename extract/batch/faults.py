"""The faults that stop a run, each one line: the output folder failing mid-run (disk full,
permission lost), worker processes that cannot be started, stored results that stay damaged.

A run that meets one stops without publishing: the previously published tables stay, every
finished document's shard stays, and ``plan-extract run`` prints the line and exits 1.  (A
document that cannot be read is not a fault: it is an error row, and the batch goes on.)
"""

from __future__ import annotations


class RunFault(Exception):
    """The run cannot go on; the message is the one line shown to the user."""


class ShardDamaged(Exception):
    """Stored results (shards) that are missing or do not match their checksums.

    Attributes:
        names: the damaged shards' folder names.
    """

    def __init__(self, names: list[str]):
        super().__init__(f"{len(names)} stored results missing or damaged (first: {names[0]})")
        self.names = names
