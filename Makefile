# Two commands: `make run` serves the studio, `make test` runs the suite. Both set up first.
PY := .venv/bin/python
export HF_HUB_OFFLINE := 1
export GRADIO_ANALYTICS_ENABLED := False
export TRANSFORMERS_VERBOSITY := error

.PHONY: setup run test test-fast bench clean
setup:
	@bash scripts/setup.sh

run: setup
	$(PY) launch.py $(ARGS)

# Two workers, a test file each (module fixtures stay whole); each worker keeps one torch thread (tests/conftest.py).
test: setup
	$(PY) -m pytest -q -n 2 --dist loadfile $(PYTEST_ARGS)

test-fast: setup
	$(PY) -m pytest -q -m "not browser and not slow" $(PYTEST_ARGS)

bench: setup
	$(PY) benchmarks/generate.py

clean:
	rm -rf .venv .pytest_cache runs
