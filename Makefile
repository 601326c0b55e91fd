# 政策通 developer commands. `make` lists them.
.DEFAULT_GOAL := help
PY := .venv/bin/python

help: ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

start: ## Start web, Celery worker and beat with demo data on http://127.0.0.1:8000 (ADDR=127.0.0.1:8203 for another)
	python3 run.py start $(ADDR)

test: ## Run the whole test suite (browser tests need /usr/bin/chromium)
	python3 run.py test

ci: ## Run what CI runs (SQLite, then PostgreSQL + Redis + a real worker, checks, ruff)
	bash .ci/run

lint: ## Ruff
	$(PY) -m ruff check .

format: ## Ruff autofix
	$(PY) -m ruff check --fix .

migrations: ## Make migrations for changed models
	$(PY) manage.py makemigrations

messages: ## Compile the translation catalogues under locale/
	cd locale/zh_Hans/LC_MESSAGES && msgfmt -o django.mo django.po && msgfmt -o djangojs.mo djangojs.po

lock: ## Re-pin dependencies from pyproject.toml (needs pip-tools)
	cd requirements && pip-compile -q --generate-hashes --strip-extras -o base.lock ../pyproject.toml
	cd requirements && pip-compile -q --generate-hashes --strip-extras --extra dev -o dev.lock ../pyproject.toml

docker-up: ## Production-like stack in Docker (needs SECRET_KEY in the environment)
	docker compose -f docker/compose.yaml up --build

.PHONY: help start test ci lint format migrations messages lock docker-up
