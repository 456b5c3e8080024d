# trackshower: the two commands of the README are `make test` and `make demo`.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test sync-check export clean-nbs slow bench help demo docs pretrained libtorch21

help:
	@echo "make test   - set up .venv if needed, check notebooks are clean and exported, run nbdev_test"
	@echo "make slow   - also run the #| slow cells (training-length)"
	@echo "make bench  - run the benchmark scripts in bench/ (not the hours-long recipe study: bench/recipe_bench.py --help)"
	@echo "make export - nbdev_export + nbdev_clean (run before committing)"
	@echo "make demo   - simulate events, train, evaluate against the baseline, export Pandora models (runs/demo, < 10 min on 2 cores)"
	@echo "make pretrained - train the package's default model from scratch in six runs (hours on 2 CPU cores; resumes an interrupted run) and ship it"
	@echo "make docs   - build the documentation site offline into _docs/ and check it in headless Chromium"
	@echo "make libtorch21 - check every export variant in torch 2.1.2 (LArSoft's LibTorch generation; a side venv, downloads ~2.5 GB once)"

$(STAMP): setup.py settings.ini
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	@echo "Installing trackshower and its dev extras into $(VENV) (log: $(VENV)/pip.log)"
	@$(BIN)/pip install --upgrade pip setuptools wheel > $(VENV)/pip.log 2>&1 || (tail -30 $(VENV)/pip.log; exit 1)
	@$(BIN)/pip install -e '.[dev]' >> $(VENV)/pip.log 2>&1 || (tail -30 $(VENV)/pip.log; exit 1)
	@touch $(STAMP)

# Fail if nbdev_clean or nbdev_export would change anything (judged on a scratch copy).
sync-check: $(STAMP)
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf $$tmp' EXIT; \
	cp -r settings.ini setup.py nbs trackshower $$tmp/; \
	( cd $$tmp && $(CURDIR)/$(BIN)/nbdev_clean >/dev/null && $(CURDIR)/$(BIN)/nbdev_export >/dev/null ); \
	if ! diff -r -q -x __pycache__ -x .ipynb_checkpoints nbs $$tmp/nbs; then \
	  echo "Notebooks are not clean: run 'make export' (nbdev_clean) and commit."; exit 1; fi; \
	if ! diff -r -q -x __pycache__ trackshower $$tmp/trackshower; then \
	  echo "Library is not exported from the notebooks: run 'make export' (nbdev_export) and commit."; exit 1; fi; \
	$(BIN)/python tools/readme.py --check; \
	echo "Notebooks clean, library and README in step with them."

test: sync-check
	@PATH=$(CURDIR)/$(BIN):$$PATH $(BIN)/python tools/nbtest.py

slow: $(STAMP)
	@PATH=$(CURDIR)/$(BIN):$$PATH $(BIN)/python tools/nbtest.py --flags slow

export: $(STAMP)
	$(BIN)/nbdev_export && $(BIN)/nbdev_clean && $(BIN)/python tools/readme.py

bench: $(STAMP)
	@for f in bench/*.py; do case $$f in *recipe_bench.py) echo "== $$f (study; table of the committed results)"; \
	  $(BIN)/python $$f --table || exit 1; continue;; esac; echo "== $$f"; $(BIN)/python $$f || exit 1; done

# the study's default network (08b_recipe: 8 kernels, one-cycle at 1e-2) for 6 epochs on 500 simulated events (seed 0):
# under 10 minutes on 2 cores without native bfloat16 (9 min 19 s, 0.9165 held-out balanced; 8 epochs took 12 min 48 s)
DEMO_ARGS ?= --nf 8 --epochs 6 --lr 1e-2
demo: $(STAMP)
	@PATH=$(CURDIR)/$(BIN):$$PATH $(BIN)/trackshower_train --out runs/demo --overwrite $(DEMO_ARGS)

# The package's default model (trackshower/models/default*): trained from scratch (first run), refined three times on
# fresh events, each time from the previous run's best network at a lower rate (second to fourth runs), grown with
# tile-wide context and a refinement block (UNet(context=True, refine=16), starting at the fourth run's outputs) and
# fine-tuned twice more on fresh events (fifth and sixth runs), evaluated on 1000 fresh events, shipped.
PRETRAINED_ARGS ?= --n_events 12500 --test_pct 0.1 --valid_pct 0.05 --nf 8 --epochs 5 --lr 1e-2 --seed 11
PRETRAINED_RUN ?= runs/pretrained
REFINE_ARGS ?= --n_events 12500 --test_pct 0.1 --valid_pct 0.05 --epochs 5 --lr 3e-3 --seed 12
REFINE_RUN ?= runs/pretrained2
REFINE2_ARGS ?= --n_events 8000 --test_pct 0.1 --valid_pct 0.05 --epochs 4 --lr 2e-3 --seed 14
REFINE2_RUN ?= runs/pretrained3
REFINE3_ARGS ?= --n_events 8000 --test_pct 0.1 --valid_pct 0.05 --epochs 4 --lr 1.5e-3 --seed 15
REFINE3_RUN ?= runs/pretrained4
CONTEXT_ARGS ?= --n_events 8000 --test_pct 0.1 --valid_pct 0.05 --epochs 4 --lr 1.5e-3 --seed 25 --context --refine 16
CONTEXT_RUN ?= runs/pretrained5
CONTEXT2_ARGS ?= --n_events 6000 --test_pct 0.1 --valid_pct 0.05 --epochs 3 --lr 1e-3 --seed 26
CONTEXT2_RUN ?= runs/pretrained6
pretrained: $(STAMP)
	@set -e; export PATH=$(CURDIR)/$(BIN):$$PATH; \
	run() { if [ -f $$1/models/last.pth ] && [ ! -f $$1/metrics.json ]; then \
	          echo "resuming the interrupted run in $$1"; trackshower_train --resume $$1; \
	        elif [ ! -f $$1/metrics.json ]; then trackshower_train --out $$1 --overwrite $$2; fi; }; \
	run $(PRETRAINED_RUN) "$(PRETRAINED_ARGS)"; \
	run $(REFINE_RUN) "$(REFINE_ARGS) --init $(PRETRAINED_RUN)"; \
	run $(REFINE2_RUN) "$(REFINE2_ARGS) --init $(REFINE_RUN)"; \
	run $(REFINE3_RUN) "$(REFINE3_ARGS) --init $(REFINE2_RUN)"; \
	run $(CONTEXT_RUN) "$(CONTEXT_ARGS) --init $(REFINE3_RUN)"; \
	run $(CONTEXT2_RUN) "$(CONTEXT2_ARGS) --init $(CONTEXT_RUN)"; \
	$(BIN)/python tools/pretrained.py --run $(CONTEXT2_RUN)

docs: $(STAMP)
	@$(BIN)/python tools/docs.py
	@$(BIN)/python tools/docs_check.py

# LArSoft's Pandora links LibTorch 2.1: every export variant is loaded and run in torch 2.1.2 from a side environment
# (outside `make test`: its wheel is a ~2.5 GB download; the project's own torch is never pinned)
LT21 := .venv-lt21
$(LT21)/.installed:
	@test -x $(LT21)/bin/python || $(PY) -m venv $(LT21)
	@echo "Installing torch 2.1.2 into $(LT21) (log: $(LT21)/pip.log)"
	@$(LT21)/bin/pip install 'torch==2.1.2' 'numpy<2' > $(LT21)/pip.log 2>&1 || (tail -20 $(LT21)/pip.log; exit 1)
	@touch $@

libtorch21: $(STAMP) $(LT21)/.installed
	@$(BIN)/python tools/libtorch21.py --side $(LT21)/bin/python
