"""Follow a growing raw telemetry file into an archive (``kamo ground follow``).

``kamo ground decode`` reads a finished file. During a pass or a SIL run the file
keeps growing; :func:`follow_file` reads whatever has been appended, feeds it to a
:class:`ground.stream.StreamDecoder` (so a packet split across two reads is decoded
once, when complete), and archives each batch of complete packets with
:meth:`ground.archive.Archive.ingest`: raw packets first, then the processed
parameters. Quarantined bytes go to the raw store with their reason.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ground.archive import KIND_QUARANTINE, Archive
from ground.bulk import decode_bytes
from ground.decom import decommutate
from ground.dictionary import Dictionary
from ground.frames import FrameConfig
from ground.stream import StreamDecoder

TIME_UNITS = "nanoseconds since 1970-01-01"


class Follower:
    """Read new bytes of ``source`` and archive the complete packets in them."""

    def __init__(
        self,
        source: str | Path,
        archive: Archive,
        dictionary: Dictionary,
        *,
        frames: FrameConfig | None = None,
        from_start: bool = True,
        chunk: int = 1 << 20,
    ):
        self.source = Path(source)
        self.archive = archive
        self.dictionary = dictionary
        self.decoder = StreamDecoder(dictionary, frames=frames)
        self.offset = 0 if from_start or not self.source.exists() else self.source.stat().st_size
        self.chunk = chunk
        self.packets = 0
        self.quarantined = 0

    def step(self) -> int:
        """Archive what has been appended since the last step; returns the packets archived."""
        try:
            size = self.source.stat().st_size
        except FileNotFoundError:
            return 0
        if size < self.offset:  # the file was replaced: start over on the new one
            self.offset = 0
        if size == self.offset:
            return 0
        archived = 0
        with open(self.source, "rb") as fh:
            fh.seek(self.offset)
            while self.offset < size:
                data = fh.read(min(self.chunk, size - self.offset))
                if not data:
                    break
                self.offset += len(data)
                archived += self._archive(self.decoder.feed(data))
        return archived

    def close(self) -> int:
        """End of stream: bytes of an incomplete last packet are quarantined as truncated."""
        return self._archive(self.decoder.close())

    def _archive(self, segments) -> int:
        packets = b"".join(s.data for s in segments if s.kind == "packet")
        for s in segments:
            if s.kind == "quarantine":
                self.archive.raw.append(s.data, kind=KIND_QUARANTINE, reason=s.reason)
                self.quarantined += len(s.data)
        if not packets:
            return 0
        result = decode_bytes(packets, self.dictionary)
        datasets = decommutate(result, self.dictionary)
        existing = set(Archive.groups(self.archive.processed))
        for name, ds in datasets.items():
            if name not in existing and "time" in ds.coords:
                # Zarr appends keep the time units of a group's first write; a first batch
                # on whole seconds would otherwise make later sub-second times unstorable
                ds["time"].encoding.update({"units": TIME_UNITS, "dtype": "int64"})
        self.archive.ingest(result, datasets)
        n = int((result.kinds == 0).sum())
        self.packets += n
        return n


def follow_file(
    source: str | Path,
    archive: str | Path,
    dictionary: Dictionary,
    *,
    frames: FrameConfig | None = None,
    interval: float = 0.2,
    idle_timeout: float | None = None,
    from_start: bool = True,
    on_batch: Callable[[int, Follower], Any] | None = None,
    fsync: bool = True,
) -> Follower:
    """Follow ``source`` into ``archive`` until interrupted, or until ``idle_timeout`` s pass
    without new bytes (then the stream is closed and a trailing fragment quarantined)."""
    if interval <= 0:
        raise ValueError(f"interval must be positive, got {interval} s")
    store = Archive(archive, dictionary, fsync=fsync)
    follower = Follower(source, store, dictionary, frames=frames, from_start=from_start)
    last_data = time.monotonic()
    try:
        while True:
            n = follower.step()
            if n:
                last_data = time.monotonic()
                if on_batch is not None:
                    on_batch(n, follower)
            elif idle_timeout is not None and time.monotonic() - last_data > idle_timeout:
                break
            time.sleep(interval)
    except KeyboardInterrupt:
        pass
    follower.close()
    return follower
