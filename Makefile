# The two set-up commands: `make demo` and `make test` (see README.md).
BUILD ?= build
ASAN_BUILD ?= build-asan
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=
# The sanitizer build: -Og -g1 compiles about 5x faster than -O2 -g with ASan+UBSan and still
# runs the tests at a usable speed (docs/performance.md, "CI time").
ASAN_OPT ?= -Og -g1

.PHONY: all deps configure build demo test test-asan bench format clean

all: build

deps:
	@bash scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD) -j$(JOBS)

demo: configure
	@cmake --build $(BUILD) -j$(JOBS) --target runtime
	@bash scripts/demo.sh $(BUILD)

test: build
	@eval "$$(bash scripts/assets.sh)" && ctest --test-dir $(BUILD) --output-on-failure -j$(JOBS)

test-asan: deps
	@cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="$(ASAN_OPT)" -DCMAKE_C_FLAGS_RELWITHDEBINFO="$(ASAN_OPT)" \
	  -DTRUSTLLM_SANITIZE=ON -DTRUSTLLM_BUILD_BENCH=OFF >/dev/null
	@cmake --build $(ASAN_BUILD) -j$(JOBS)
	@eval "$$(bash scripts/assets.sh)" && ASAN_OPTIONS=detect_leaks=0 ctest --test-dir $(ASAN_BUILD) --output-on-failure -j$(JOBS) -LE slow

bench: build
	@bash bench/run_all.sh $(BUILD)

format:
	@git ls-files '*.cpp' '*.hpp' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
