# SPDX-License-Identifier: ISC
# The two commands a newcomer runs: `make demo` and `make check`.
# Everything else is CMake (build/, build-asan/).

JOBS      ?= 2
BUILD     ?= build
ASAN      ?= build-asan
FUZZ_SECONDS ?= 30
LAB        = tests/lab/lab.sh

.PHONY: all deps build asan check check-unit check-asan demo lab-start \
	lab-stop fuzz checksrc format bench bench-peers clean

all: build

deps:
	@scripts/deps.sh

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

# clang with ASan+UBSan, and the libFuzzer harnesses
asan: deps
	@cmake -S . -B $(ASAN) -DCMAKE_C_COMPILER=clang \
	    -DCMAKE_BUILD_TYPE=Debug -DMXAUDIT_SANITIZE=ON -DMXAUDIT_FUZZ=ON >/dev/null
	@cmake --build $(ASAN) -j $(JOBS)

# unit tests, fuzz-corpus replays and the lab, with gcc, then all of it
# again under ASan+UBSan
check: build asan checksrc
	cd $(BUILD) && ctest --output-on-failure
	cd $(ASAN) && ASAN_OPTIONS=detect_leaks=1 \
	    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    ctest --output-on-failure

check-unit: build
	cd $(BUILD) && ctest --output-on-failure -L unit

demo: build
	@$(LAB) start $(CURDIR)/$(BUILD)
	@echo
	@./$(BUILD)/mxaudit scan $$($(LAB) env $(CURDIR)/$(BUILD)) \
	    $$(cat $(BUILD)/lab/domains.txt) || true
	@echo
	@echo "the lab is still running: 'make lab-stop' stops it"

lab-start: build
	@$(LAB) start $(CURDIR)/$(BUILD)

lab-stop:
	@$(LAB) stop $(CURDIR)/$(BUILD)

fuzz: asan
	@for f in $(ASAN)/tests/fuzz_*; do \
		name=$${f##*/fuzz_}; \
		mkdir -p $(ASAN)/fuzz-corpus/$$name; \
		echo "fuzz: $$name for $(FUZZ_SECONDS) s"; \
		$$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
		    $(ASAN)/fuzz-corpus/$$name tests/fuzz/corpus/$$name \
		    2>&1 | grep -E 'stat::number_of_executed_units|ERROR|SUMMARY' \
		    || exit 1; \
	done

# banned functions and <ctype.h> (STYLE.md)
checksrc:
	@! grep -nE '\b(strcpy|strcat|sprintf|vsprintf|strtok|atoi|strncpy|gets)\s*\(' \
	    src/*/*.c src/*/*.h tests/lab/*.c || (echo "checksrc: banned function" && false)
	@! grep -n '#include <ctype.h>' src/*/*.c src/*/*.h || \
	    (echo "checksrc: <ctype.h> is banned" && false)
	@if command -v clang-format >/dev/null; then \
		clang-format --dry-run -Werror src/*/*.c src/*/*.h tests/unit/*.c \
		    tests/fuzz/*.c tests/lab/*.c || \
		    (echo "checksrc: run 'make format'" && false); \
	fi

format:
	clang-format -i src/*/*.c src/*/*.h tests/unit/*.c tests/fuzz/*.c tests/lab/*.c

bench: build
	bench/run.sh $(CURDIR)/$(BUILD)

# mxaudit, sslscan and testssl.sh side by side (installs the two peers)
bench-peers: build
	bench/peers.sh $(CURDIR)/$(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN)
