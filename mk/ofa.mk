# Python tools of the OFA supernet (scripts/ofa/): converter, trainer, level
# selection, ONNX export, and their tests (tests/python/).
#
#   make check-ofa-model    supernet, BN recalibration, level selection, ONNX export
#   make check-ofa-convert  OFA checkpoint converter on synthetic checkpoints
#   make check-ofa-parity   C engine (dnngov-infer) against the PyTorch supernet
#   make fmnist-model       retrain and reselect models/fmnist-ofa.dnngov (~1.5 h on one core)

OFA_TESTS := $(TOP)/tests/python
OFA_RUN    = cd $(OFA_TESTS) && CHECKDIR=$(CHECKDIR) BUILD=$(BUILD) $(PYTHON) run_suite.py

.PHONY: check-ofa-model check-ofa-convert check-ofa-parity fmnist-model

check-unit: check-ofa-model check-ofa-convert check-ofa-parity

check-ofa-model:
	@$(OFA_RUN) ofa-model test_ofa_mbv3 test_export test_select_levels

check-ofa-convert:
	@$(OFA_RUN) ofa-convert test_convert

# The engine's CLI comes from mk/engine.mk.
check-ofa-parity: $(if $(wildcard $(TOP)/mk/engine.mk),$(BUILD)/bin/dnngov-infer)
	@$(OFA_RUN) ofa-parity test_parity

fmnist-model: $(BUILD)/bin/dnngov-infer
	@mkdir -p $(BUILD)/fmnist
	nice -n 10 $(PYTHON) $(TOP)/scripts/ofa/train_fmnist.py --out $(BUILD)/fmnist/supernet.pt
	nice -n 10 $(PYTHON) $(TOP)/scripts/ofa/select_levels.py $(BUILD)/fmnist/supernet.pt \
		$(TOP)/models/fmnist-ofa.dnngov --infer $(BUILD)/bin/dnngov-infer \
		--report $(BUILD)/fmnist/selection.json
