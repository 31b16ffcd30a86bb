"""kamo package."""
