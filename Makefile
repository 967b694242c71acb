# Concierge developer commands. See docs/configuration.md and compose/README.md.
#
#   make run [ARGS="..."]   install runtime deps, debug build, run the whole suite (concierge up ARGS)
#   make test               every test: Swift, PostgreSQL integration, pyzmq interop, compose (scripts/test.sh)
#   make bench              release benchmarks, writes docs/benchmarks.md (scripts/bench.sh)
#   make build              debug build of all products
#   make format / lint      swift format (in place) / swift format lint --strict
#   make clean              remove build products (keeps .concierge/ data)

SHELL := /bin/bash
.DEFAULT_GOAL := build

SWIFT ?= swift
FORMAT_PATHS := Package.swift Shared Services Tests
ARGS ?=

.PHONY: run test bench build format lint clean

run:
	bash scripts/install-deps.sh runtime
	$(SWIFT) build
	exec .build/debug/concierge up $(ARGS)

test:
	exec bash scripts/test.sh

bench:
	exec bash scripts/bench.sh

build:
	$(SWIFT) build

format:
	$(SWIFT) format --in-place --recursive $(FORMAT_PATHS)

lint:
	$(SWIFT) format lint --strict --recursive $(FORMAT_PATHS)

clean:
	$(SWIFT) package clean
