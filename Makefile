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

test: deps venv model
	scripts/check-sql
	$(SWIFT) build --build-tests
	ENTROPYGUARD_PYTHON=$(abspath $(PY)) scripts/run-tests

demo: deps model release
	@scripts/demo

bench: deps venv
	benchmarks/core.sh 1000000

clean:
	rm -rf .build benchmarks/.build examples/out
