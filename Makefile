.PHONY: run test test-fast setup setup-test services

## Install what running needs (no test tools), prepare the database and start the whole system.
run:
	deploy/scripts/run.sh

## Install what the tests need (the run set, test tools, HAProxy, Chromium) and run the whole suite on the real services.
test: setup-test services
	.venv/bin/python -m pytest $(PYTEST_ARGS)

## The edit–test loop: the suite less the browser tests, the models and the slow tests (markers `browser`, `ai`, `slow`).
test-fast: setup-test services
	.venv/bin/python -m pytest -m "not ai and not browser and not slow" $(PYTEST_ARGS)

setup:
	deploy/scripts/setup.sh run

setup-test:
	deploy/scripts/setup.sh test

services:
	deploy/scripts/services.sh
