"""Data shipped with kamo's missions package (a package so that wheels include its files)."""
