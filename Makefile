.PHONY: run test setup services

## Install everything, prepare the database and start the whole system.
run:
	deploy/scripts/run.sh

## Install what the tests need and run the whole suite on the real services.
test: setup services
	.venv/bin/python -m pytest $(PYTEST_ARGS)

setup:
	deploy/scripts/setup.sh

services:
	deploy/scripts/services.sh
