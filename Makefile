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

test: setup
	$(PY) -m pytest -q $(PYTEST_ARGS)

test-fast: setup
	$(PY) -m pytest -q -m "not browser and not slow" $(PYTEST_ARGS)

bench: setup
	$(PY) benchmarks/generate.py

clean:
	rm -rf .venv .pytest_cache runs
