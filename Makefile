# tearline: a thin driver over CMake. `make`, `make test`, `make demo`, `make bench`, `make tour`.
BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=

.PHONY: all deps configure test demo tour bench clean asan fuzz format

all: configure
	cmake --build $(BUILD) -j $(JOBS)

deps:
	./scripts/install-deps

configure:
	@test -f $(BUILD)/CMakeCache.txt || cmake -S . -B $(BUILD) $(CMAKE_FLAGS)

test: deps
	@test -f $(BUILD)/CMakeCache.txt || cmake -S . -B $(BUILD) $(CMAKE_FLAGS)
	cmake --build $(BUILD) -j $(JOBS)
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# the two-partner scenario on two real nodes (tearline demo; DIR=... keeps them there)
demo: deps all
	$(BUILD)/tearline demo $(if $(DIR),--dir $(DIR) --keep)

# a walk through one node's commands on the OASIS examples and small fixtures
tour: deps all
	./scripts/tour $(BUILD)/tearline

bench: deps all
	./bench/run $(BUILD)

# The suite under AddressSanitizer and UndefinedBehaviorSanitizer, built with clang.
asan: deps
	CC=clang cmake -S . -B build-asan -DTL_SANITIZE=ON -DTL_WERROR=ON
	cmake --build build-asan -j $(JOBS)
	cd build-asan && ctest --output-on-failure -j $(JOBS)

# libFuzzer targets (clang); run one with build-fuzz/fuzz_reader tests/fuzz/corpus
fuzz: deps
	CC=clang cmake -S . -B build-fuzz -DTL_FUZZ=ON -DTL_SANITIZE=ON
	cmake --build build-fuzz -j $(JOBS) --target fuzz_reader fuzz_agreement fuzz_taxii fuzz_unseal fuzz_canonical fuzz_names

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) build-asan build-fuzz
