# Zhiyuan: the two commands of the README, `make run` and `make test`,
# plus the pieces they are made of. Meson + Ninja build the C; npm and
# Vite build the web console.

BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
WEB_SRC    := $(shell find web/src web/public web/index.html web/vite.config.js web/package.json web/scripts -type f 2>/dev/null)

.PHONY: all run test deps test-deps server asan fuzz-build fuzz web bench clean mutants

all: server web

deps:
	@scripts/deps.sh

test-deps:
	@scripts/deps.sh test

$(BUILD)/build.ninja:
	meson setup $(BUILD) --buildtype=debugoptimized

server: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

$(ASAN_BUILD)/build.ninja:
	meson setup $(ASAN_BUILD) --buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false

asan: deps $(ASAN_BUILD)/build.ninja
	ninja -C $(ASAN_BUILD)

# libFuzzer targets (tests/fuzz): clang, ASan and UBSan, in their own build
$(FUZZ_BUILD)/build.ninja:
	CC=clang meson setup $(FUZZ_BUILD) -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false --buildtype=debugoptimized

fuzz-build: test-deps $(FUZZ_BUILD)/build.ninja
	ninja -C $(FUZZ_BUILD) $(addprefix fuzz_,json query validate table xlsx multipart ids)

# Runs each target for FUZZ_SECONDS (default 60), two at a time.
fuzz: fuzz-build
	FUZZ_BUILD=$(FUZZ_BUILD) scripts/fuzz.sh

web/node_modules/.package-lock.json: web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error

web/dist/index.html: web/node_modules/.package-lock.json $(WEB_SRC)
	cd web && npm run build --silent

web: deps web/dist/index.html

# Serves http://127.0.0.1:8080 on var/zhiyuan.db (migrated at start).
run: server web
	@mkdir -p var
	./$(BUILD)/zhiyuan migrate
	./$(BUILD)/zhiyuan serve

test: test-deps server web asan fuzz-build
	@scripts/test.sh

# Disables each authorisation check and a few guards in turn, rebuilds in
# build-mutants and runs the API suites that cover it; lists the survivors
# (build-mutants/report.md). Slow: about 50 minutes. See docs/security.md.
mutants: server
	nice -n 10 node scripts/mutants.mjs $(MUTANTS_ARGS)

bench: server
	@scripts/deps.sh bench
	bench/run.sh

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD) web/dist
