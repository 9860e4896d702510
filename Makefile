# The README's two commands, forwarded to meson (PipeWire's Makefile.in).
#   make        build into build/ (CLI at build/glassbox)
#   make run    install deps, build, build the demo image if absent, import the demo
#               vulnerability feed (data/vulnfeed-demo.json), scan it
#   make test   install deps, build, run every test; then the same tests
#               under ASan+UBSan (build-asan/); then every fuzz target briefly
#   make fuzz   every libFuzzer target for FUZZ_SECONDS (default 60) each
BUILD      ?= build
ASAN_BUILD ?= build-asan
DEMO_DIR   ?= $(BUILD)/demo
DEMO       ?= $(DEMO_DIR)/router-demo.bin
MESON_TEST ?= meson test --print-errorlogs --num-processes 2

FUZZ_SECONDS       ?= 60
FUZZ_SMOKE_SECONDS ?= 2

.PHONY: all build deps run test test-asan fuzz fuzz-smoke clean

all: build

deps:
	@scripts/install-deps

$(BUILD)/build.ninja:
	meson setup $(BUILD)

build: $(BUILD)/build.ninja
	ninja -C $(BUILD)

$(DEMO):
	scripts/mkdemo $(DEMO)

run: deps build $(DEMO)
	$(BUILD)/glassbox vulndb import --vulndb $(DEMO_DIR)/vulndb.sqlite data/vulnfeed-demo.json
	$(BUILD)/glassbox scan $(DEMO) -o $(DEMO_DIR)/out --vulndb $(DEMO_DIR)/vulndb.sqlite

$(ASAN_BUILD)/build.ninja:
	meson setup $(ASAN_BUILD) -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug

test: deps build
	$(MESON_TEST) -C $(BUILD); s1=$$?; \
	scripts/test-summary $(BUILD) plain; \
	$(MAKE) --no-print-directory test-asan; s2=$$?; \
	$(MAKE) --no-print-directory fuzz-smoke; s3=$$?; \
	scripts/test-summary $(BUILD) $(ASAN_BUILD) total; \
	test $$s1 -eq 0 -a $$s2 -eq 0 -a $$s3 -eq 0

test-asan: $(ASAN_BUILD)/build.ninja
	ninja -C $(ASAN_BUILD)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		$(MESON_TEST) -C $(ASAN_BUILD) --timeout-multiplier 3

# Every libFuzzer target for FUZZ_SECONDS each (clang; build-fuzz/).
fuzz: deps
	scripts/fuzz-run $(FUZZ_SECONDS)

# make test's short run of every fuzz target.
fuzz-smoke: deps
	scripts/fuzz-run $(FUZZ_SMOKE_SECONDS)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) build-fuzz
