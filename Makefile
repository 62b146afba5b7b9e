# chime.admin development commands. `make test` and `make demo` do all set-up on a fresh machine.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV      := .venv
TREE      := $(CURDIR)/.tree
COLL      := $(TREE)/ansible_collections/chime/admin
BIN       := $(CURDIR)/$(VENV)/bin
# .venv is installed in two stages: what `make demo` needs, then the test tools (see set-up below).
DEMO_STAMP := $(VENV)/.demo-installed
STAMP     := $(VENV)/.installed
PIP_INSTALL = $(BIN)/python -m pip install --quiet --disable-pip-version-check
# The virtualenv's Python version (for ansible-test's --python), once it exists.
PYVER      = $(shell $(BIN)/python -c 'import sys; print("%d.%d" % sys.version_info[:2])')
# Every command sees this collection and the amazon.aws beside it, and nothing from ~/.ansible.
export ANSIBLE_COLLECTIONS_PATH := $(TREE)
export ANSIBLE_COLLECTIONS_SCAN_SYS_PATH := false
export ANSIBLE_LOCALHOST_WARNING := false
export ANSIBLE_INVENTORY_UNPARSED_WARNING := false
export PYTHONPATH := $(TREE):$(COLL)/tests
export PATH := $(BIN):$(PATH)

.PHONY: help venv collection browser test test-matrix unit e2e integration sanity lint docs demo bench clean

help:
	@echo "make demo    audit the accounts of the bundled fake Chime endpoint: summary, violations, reports in build/demo"
	@echo "make check   lint and unit tests, about 100 s on a warm tree (ruff, changelog, ansible-lint, ansible-test units)"
	@echo "make test    run every test (unit, fake endpoint, end-to-end, lint, ansible-test sanity)"
	@echo "make test-matrix  ansible-test sanity and units on every supported ansible-core, and the oldest stack"
	@echo "make docs    build the docsite under build/docsite (part of make test)"
	@echo "make bench   print performance figures (not part of make test)"
	@echo "make clean   remove .venv and the collections tree"

# ----- set-up ------------------------------------------------------------------------------
# One virtualenv, installed in two stages. The first is what `make demo` needs: ansible-core,
# boto3/botocore and PyYAML (demo-requirements.txt). The second, which every test target needs, adds
# the test tools (test-requirements.txt, which includes demo-requirements.txt). amazon.aws is in
# neither: lay_tree.py takes it from the pinned `ansible` wheel (hacking/amazon-aws-requirements.txt),
# which it downloads into .venv/wheels; the package itself, about a hundred collections, is never installed.
$(DEMO_STAMP): requirements.txt demo-requirements.txt hacking/find-python
	@py=$$(hacking/find-python); \
	if [ ! -x $(VENV)/bin/python ] || ! $(VENV)/bin/python -c 'import sys; sys.exit(sys.version_info < (3, 12))'; then \
	  rm -rf $(VENV); echo "Creating $(VENV) with $$py"; "$$py" -m venv $(VENV); fi
	$(PIP_INSTALL) -r requirements.txt -r demo-requirements.txt
	touch $(DEMO_STAMP)

# A .venv made before amazon.aws came from the wheel holds the whole `ansible` package: removed, so that no
# test finds amazon.aws in site-packages instead of beside the collection.
$(STAMP): $(DEMO_STAMP) test-requirements.txt
	$(PIP_INSTALL) -r requirements.txt -r test-requirements.txt
	$(BIN)/python -m pip uninstall --quiet --yes ansible 2>/dev/null || true
	touch $(STAMP)

venv: $(STAMP)

# Lays the collection out as ansible_collections/chime/admin (a copy of the files git tracks or
# would track), with amazon.aws from the pinned `ansible` wheel beside it. `tree` needs only the
# demo's stage of .venv; `collection`, which the test targets depend on, also installs the test tools.
.PHONY: tree
tree: $(DEMO_STAMP)
	@if [ -z "$(LAID)" ]; then $(BIN)/python hacking/lay_tree.py --tree $(TREE) --venv $(VENV); fi

# The tree is laid out after the test tools are installed, not beside them (under make -j, lay_tree's pip
# download would run while pip installs into the same .venv).
collection: $(STAMP)
	@$(MAKE) --no-print-directory tree

# ----- tests -------------------------------------------------------------------------------
# Two lanes side by side: the end-to-end tests, which keep both cores busy on two pytest workers but also
# wait on the fake endpoints' latency and on backoff, and the suites that mostly use one core at a time, one
# after another (lint, unit, integration, sanity, docs: -j1, as ansible-test's runs share tests/output).
# The end-to-end lane's output is printed when it ends; the other lane's, as each of its suites runs. Set-up
# comes first: the virtualenv and the tree, with chromium installed beside them. In the lanes, LAID=1 keeps the
# tree as laid out: the other lane reads it. hacking/integration.py writes tests/integration/cloud-config-aws.ini
# into the tree while the targets run; galaxy.yml's build_ignore keeps it out of the tarball the e2e lane builds.
test:
	@$(MAKE) --no-print-directory -j2 --output-sync=target collection browser
	@$(MAKE) --no-print-directory -j2 --output-sync=target LAID=1 e2e serial-suites
	@echo "make test: all suites passed"

.PHONY: serial-suites
serial-suites:
	@$(MAKE) --no-print-directory -j1 LAID=1 lint unit integration sanity docs

# The unit tests run under ansible-test, as a contributor to any collection runs them: modules and
# module_utils tests isolated from controller code, the lookup's with the plugin loader. The fake
# endpoint's own tests are plain pytest.
unit: collection
	@$(BIN)/python hacking/pip_bootstrap_stand_in.py
	cd $(COLL) && $(BIN)/ansible-test units --venv --python $(PYVER) --color no
	cd $(COLL) && $(BIN)/python -m pytest -q -p no:cacheprovider tests/fake_chime

# The HTML report's tests open it in Debian's chromium (Playwright drives it; its own browser download
# needs the internet). Installed with apt when missing.
browser:
	@command -v chromium >/dev/null || { \
	  sudo=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$sudo apt-get update -qq && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

# Two pytest-xdist workers: most of a test is spent in one ansible-playbook process at a time, so two
# tests at once keep both cores busy. Each worker has its own tmp_path tree (popen-gw0, popen-gw1) and
# the fake endpoints bind free ports. --dist loadfile runs each test file on one worker, in order, as the
# serial run did: a module-scoped fixture is then set up once per file. With --dist load both workers
# build the costly ones (the bad-input play, measured at 53 s and 54 s), and a worker may set one up a
# second time in the same process, which test_organization's cannot survive: moto keeps its state
# per process and refuses a second CreateOrganization (AlreadyInOrganizationException).
e2e: collection browser
	cd $(COLL) && $(BIN)/python -m pytest -q -p no:cacheprovider -n 2 --dist loadfile --durations=25 tests/e2e

lint: collection
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	cd $(COLL) && $(BIN)/ansible-lint --offline --profile production
	$(BIN)/cfn-lint docs/examples/organization/chime-audit-role.yml
	$(BIN)/antsibull-changelog lint
	cd $(COLL) && $(BIN)/antsibull-docs lint-collection-docs --plugin-docs .

# For contributors between changes: the quick part of `lint` (ruff, antsibull-changelog, ansible-lint) and
# `unit` (ansible-test units and the fake endpoint's tests), cheapest first: about 100 s on a warm tree.
# `lint` adds antsibull-docs's docs lint (about 30 s); `make test` runs everything.
.PHONY: check
check: collection
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/antsibull-changelog lint
	cd $(COLL) && $(BIN)/ansible-lint --offline --profile production
	@$(MAKE) --no-print-directory LAID=1 unit
	@echo "make check: lint and unit tests passed"

# The ansible-test integration targets: against the account in tests/integration/cloud-config-aws.ini
# when there is one, else against the bundled fake endpoint.
integration: collection
	@$(BIN)/python hacking/pip_bootstrap_stand_in.py
	$(BIN)/python hacking/integration.py --collection $(COLL) --python $(PYVER)

# ansible-test sanity and units on ansible-core 2.17 to 2.21 (one cached virtualenv each, Python 3.12),
# and unit and end-to-end tests on the oldest core, boto3/botocore and amazon.aws the collection admits.
test-matrix: collection
	$(BIN)/python hacking/test_matrix.py --tree $(TREE)

sanity: collection
	@$(BIN)/python hacking/pip_bootstrap_stand_in.py
	cd $(COLL) && $(BIN)/ansible-test sanity --venv --python $(PYVER) --color no

# The docsite as antsibull-docs publishes collection docs, built with Sphinx under build/ (not committed).
# sphinx-build runs with -W: a warning fails the build. The intersphinx inventories (Python, Jinja,
# Ansible) cannot be fetched without the internet: the generated conf.py gets instead a local
# inventory of the Ansible docsite labels the pages refer to (see hacking/ansible_docs_inventory.py).
docs: collection
	rm -rf build/docsite && mkdir -p build/docsite
	$(BIN)/antsibull-docs sphinx-init --use-current --fail-on-error --dest-dir build/docsite --title chime.admin chime.admin
	$(BIN)/python hacking/ansible_docs_inventory.py build/docsite/ansible-devel.inv
	echo 'intersphinx_mapping = {"ansible_devel": ("https://docs.ansible.com/ansible/devel/", "$(CURDIR)/build/docsite/ansible-devel.inv")}' >> build/docsite/conf.py
	cd build/docsite && ./build.sh
	@echo "docsite: build/docsite/build/html/index.html"

# ----- demo and benchmarks -----------------------------------------------------------------
demo: tree
	@cd $(COLL) && DEMO_DEST=$(CURDIR)/build/demo $(BIN)/python hacking/demo.py

bench: collection
	@cd $(COLL) && $(BIN)/python tests/bench/run.py --output $(CURDIR)/docs/performance.md

clean:
	rm -rf $(VENV) .tree tests/output
