# Benchmarks (see benchmarks/README.md). The full run takes several minutes and rewrites
# benchmarks/RESULTS.md; the smoke run only checks that every script works.
PYTHON ?= .venvs/dev/bin/python

.PHONY: bench bench-smoke

bench:
	$(PYTHON) benchmarks/run_all.py

bench-smoke:
	$(PYTHON) benchmarks/run_all.py --smoke
