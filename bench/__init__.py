"""Benchmarks: our CLI against the plain upstream scripts doing the same job (`python -m bench --help`)."""
