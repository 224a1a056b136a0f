# EntropyGuard — `make demo` and `make test` install whatever is missing, then build and run.
SHELL := /bin/bash
SWIFT ?= swift
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: deps venv model build release test demo bench clean

deps:
	@scripts/install-deps

venv: deps
	@scripts/setup-venv

model: deps
	@scripts/fetch-model

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

# The debug build makes the static model too (the tests need that build anyway).
test: deps venv
	@scripts/fetch-model --configuration debug
	scripts/check-sql
	$(SWIFT) build --build-tests
	ENTROPYGUARD_PYTHON=$(abspath $(PY)) scripts/run-tests

demo: deps model release
	@scripts/demo

bench: deps venv
	benchmarks/core.sh 1000000

clean:
	rm -rf .build benchmarks/.build examples/out
