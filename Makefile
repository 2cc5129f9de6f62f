# Makefile -- mod_ajplb top-level build.
#
#   make              configure if needed, build out/mod_ajplb.so
#   make check        install test packages (root on Debian), build, run every
#                     test: unit (plain and ASan+UBSan), fuzz corpus replay,
#                     layering, catalogue (docs/SECURITY.md), integration
#                     against the real httpd
#   make check-asan   only the sanitizer run of unit tests and corpus replay
#   make check-interop differential test against Debian's mod_jk 1.2.48: the
#                     same requests through both to one real Tomcat 10, every
#                     difference listed in tests/interop/expected-differences.txt
#   make fuzz         run each libFuzzer target for FUZZ_SECONDS (default 300)
#   make install      install the module through apxs
#   make chaos        fault scenarios (kill -9, SIGSTOP, graceful restarts,
#                     pool exhaustion, client aborts, soak) against mod_ajplb
#                     and mod_jk; rewrites the table in docs/RELIABILITY.md
#   make chaos-short  the short form CI runs (mod_ajplb only, ~3 min);
#                     CHAOS_MODULE=path tests another build of the module
#   make deb          out/deb/libapache2-mod-ajplb_<version>_<arch>.deb
#   make check-deb    (root) build, lintian, install, enable, serve, purge
#   make demo / demo-failover / demo-stop   the two-Tomcat demo (docs/DEMO.md)
#
# The core (src/core/ajplb_*.c) is built once into out/libajplb_core.a; the module
# (adapter files src/httpd/mod_ajplb*.c plus that library) is linked by apxs, and the
# unit tests link the same library.  Core files are compiled with APR's
# include path only, so an httpd header in the core does not even compile.

OUT      ?= out
SAN      ?=
WERROR   ?= -Werror
FUZZ_SECONDS ?= 300
# Every test runner appends 'name passed failed' rows here; make check sums.
RESULTS  ?= $(CURDIR)/$(OUT)/results.txt
export RESULTS

-include build/config.mk

ifeq ($(strip $(APXS)),)
# Not configured yet: the only thing to do is configure, then run make again
# with the same goals.
.DEFAULT_GOAL := all
all check check-asan check-unit check-integration check-layering \
check-catalogue check-interop fuzz \
install demo demo-stop bench chaos chaos-short clean-out:
	@scripts/deps.sh $(if $(filter check check-asan check-unit check-integration check-interop fuzz chaos-short,$(MAKECMDGOALS)),check,$(if $(filter demo,$(MAKECMDGOALS)),demo,build))
	@$(MAKE) --no-print-directory configure-now
	@$(MAKE) --no-print-directory $(MAKECMDGOALS)
else

.DEFAULT_GOAL := all

WARN     = -Wall -Wextra $(WERROR) -Wno-unused-parameter -Wshadow \
           -Wstrict-prototypes -Wmissing-prototypes -Wpointer-arith
BASEFLAGS = -O2 -g -std=gnu99 -fPIC -fvisibility=hidden $(SAN)
CORE_CFLAGS = $(BASEFLAGS) $(WARN) -Iinclude $(APR_CFLAGS)
TEST_CFLAGS = $(BASEFLAGS) $(WARN) -Wno-missing-prototypes -Iinclude \
              -Itests $(APR_CFLAGS) $(CHECK_CFLAGS)

ADAPTER_SRC = $(wildcard src/httpd/mod_ajplb*.c)
CORE_SRC    = $(wildcard src/core/ajplb_*.c)
CORE_OBJ    = $(patsubst src/core/%.c,$(OUT)/core/%.o,$(CORE_SRC))
HEADERS     = $(wildcard include/*.h)
CORE_LIB    = $(OUT)/libajplb_core.a

UNIT_SRC    = $(wildcard tests/check_*.c)
UNIT_BIN    = $(patsubst tests/%.c,$(OUT)/tests/%,$(UNIT_SRC))
FUZZ_SRC    = $(wildcard tests/fuzz/fuzz_*.c)
REPLAY_BIN  = $(patsubst tests/fuzz/fuzz_%.c,$(OUT)/fuzz/replay_%,$(FUZZ_SRC))
FUZZ_BIN    = $(patsubst tests/fuzz/fuzz_%.c,$(OUT)/fuzz/libfuzzer_%,$(FUZZ_SRC))

MODULE      = $(OUT)/mod_ajplb.so

all: $(MODULE)

$(OUT)/core/%.o: src/core/%.c $(HEADERS) build/config.mk
	@mkdir -p $(dir $@)
	$(CC) $(CORE_CFLAGS) -c -o $@ $<

$(CORE_LIB): $(CORE_OBJ)
	@rm -f $@
	ar rcs $@ $^

# apxs drives libtool; -fvisibility=hidden plus AJPLB_EXPORT on the module
# struct keeps ajplb_module the only exported symbol (checked below).
$(MODULE): $(ADAPTER_SRC) $(wildcard src/httpd/mod_ajplb*.h) $(HEADERS) $(CORE_LIB)
	@mkdir -p $(OUT)/apxs
	cp $(ADAPTER_SRC) $(OUT)/apxs/
	cd $(OUT)/apxs && $(APXS) -c -o mod_ajplb.la \
	    -Wc,"-std=gnu99 -fvisibility=hidden -Wall -Wextra $(WERROR) \
	    -Wno-unused-parameter $(SAN)" -I$(CURDIR)/include -I$(CURDIR)/src/httpd \
	    $(if $(SAN),-Wl,"$(SAN)") \
	    $(notdir $(ADAPTER_SRC)) $(CURDIR)/$(CORE_LIB) >/dev/null
	cp $(OUT)/apxs/.libs/mod_ajplb.so $@
	@exported=$$(nm -D --defined-only $@ | awk '$$2 ~ /^[A-Z]$$/ && $$2 != "A" && $$3 !~ /^__(odr_)?asan/ {print $$3}'); \
	if [ "$$exported" != "ajplb_module" ]; then \
	    echo "error: $@ exports more than ajplb_module: $$exported" >&2; \
	    rm -f $@; exit 1; fi
	@echo "built $@"

# ---------------------------------------------------------------- tests ---
$(OUT)/tests/test_util.o: tests/test_util.c tests/test_util.h
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) -c -o $@ $<

$(OUT)/tests/check_%: tests/check_%.c $(OUT)/tests/test_util.o $(CORE_LIB) $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) -o $@ $< $(OUT)/tests/test_util.o $(CORE_LIB) \
	    $(CHECK_LIBS) $(APR_LIBS) $(SAN)

# Corpus replay: the libFuzzer entry point driven by a plain main(), so
# every make check runs the seeds and the saved crash inputs.
$(OUT)/fuzz/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(CORE_LIB) $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) -o $@ $< tests/fuzz/replay.c $(CORE_LIB) \
	    $(APR_LIBS) $(SAN)

$(OUT)/fuzz/libfuzzer_%: tests/fuzz/fuzz_%.c $(CORE_SRC) $(HEADERS)
	@mkdir -p $(dir $@)
	$(CLANG) -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude \
	    $(APR_CFLAGS) -o $@ $< $(CORE_SRC) $(APR_LIBS)

# Test tools written in C (the fake AJP backend); they link nothing of the
# core on purpose, so they are an independent implementation of AJP13.
TOOL_SRC    = $(wildcard tests/tools/*.c)
TOOL_BIN    = $(patsubst tests/tools/%.c,$(OUT)/tools/%,$(TOOL_SRC))

$(OUT)/tools/%: tests/tools/%.c
	@mkdir -p $(dir $@)
	$(CC) -O2 -g -std=gnu99 -Wall -Wextra $(WERROR) $(SAN) -o $@ $< -lpthread

tools: $(TOOL_BIN)

check-unit: $(UNIT_BIN) $(REPLAY_BIN)
	@tests/run_unit.sh $(OUT) $(UNIT_BIN) -- $(REPLAY_BIN)

check-layering:
	@tests/check_layering.sh

# Every fault-catalogue id (docs/SECURITY.md) is named by a test.
check-catalogue:
	@tests/check_catalogue.sh

SAN_FLAGS = -fsanitize=address,undefined -fno-sanitize-recover=all \
            -fno-omit-frame-pointer
# The module is loaded into Debian's (uninstrumented) httpd, so the
# sanitizer runtimes are preloaded into it for the integration run.
SAN_PRELOAD = $(shell $(CC) -print-file-name=libasan.so):$(shell $(CC) -print-file-name=libubsan.so)

check-asan:
	@$(MAKE) --no-print-directory check-unit OUT=$(OUT)/asan SAN="$(SAN_FLAGS)"
	@$(MAKE) --no-print-directory check-integration OUT=$(OUT)/asan \
	    SAN="$(SAN_FLAGS)" SAN_PRELOAD_RUN="$(SAN_PRELOAD)"

check-integration: $(MODULE) $(TOOL_BIN)
	@SAN_PRELOAD="$(SAN_PRELOAD_RUN)" tests/integration/run.sh $(OUT)

check:
	@scripts/deps.sh check
	@rm -f $(OUT)/results.txt
	@$(MAKE) --no-print-directory check-layering
	@$(MAKE) --no-print-directory check-catalogue
	@$(MAKE) --no-print-directory check-messages
	@$(MAKE) --no-print-directory check-unit
	@$(MAKE) --no-print-directory check-asan
	@$(MAKE) --no-print-directory check-integration
	@tests/summary.sh $(RESULTS)

# mod_jk and mod_ajplb side by side in front of one Tomcat (tests/interop/,
# docs/TESTING.md "Differential test against mod_jk").
check-interop: $(MODULE)
	@scripts/deps.sh check
	@tests/interop/run.sh $(OUT)

fuzz: $(FUZZ_BIN)
	@for f in $(FUZZ_BIN); do \
	    name=$${f##*/libfuzzer_}; \
	    mkdir -p $(OUT)/fuzz/work_$$name tests/fuzz/crashes/$$name; \
	    echo "fuzzing $$name for $(FUZZ_SECONDS)s"; \
	    $$f -max_total_time=$(FUZZ_SECONDS) -artifact_prefix=tests/fuzz/crashes/$$name/ \
	        $(OUT)/fuzz/work_$$name tests/fuzz/corpus/$$name || exit 1; \
	done

demo: $(MODULE)
	@scripts/deps.sh demo
	@OUT=$(CURDIR)/$(OUT) scripts/demo.sh start

demo-stop:
	@OUT=$(CURDIR)/$(OUT) scripts/demo.sh stop

install: $(MODULE)
	$(APXS) -i -n ajplb $(OUT)/apxs/mod_ajplb.la

# ---------------------------------------------------- the ajplb command ---
# out/ajplb (src/cli/, docs/OPERATIONS.md, ajplb(1)): links the same core
# library as the module, plus libcurl (HTTP/HTTPS to the fronts) and
# jansson (their JSON status).  make install puts it and its man page
# under $(DESTDIR)$(prefix).
prefix     ?= /usr/local
CLI_SRC     = $(wildcard src/cli/ajplb_cli*.c)
CLI_BIN     = $(OUT)/ajplb
CLI_CFLAGS  = $(BASEFLAGS) $(WARN) -Iinclude -Isrc/cli $(APR_CFLAGS) \
              $(shell pkg-config --cflags libcurl jansson)
CLI_LIBS    = $(shell pkg-config --libs libcurl jansson)

all: $(CLI_BIN)

$(CLI_BIN): $(CLI_SRC) $(wildcard src/cli/*.h) $(HEADERS) $(CORE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CLI_CFLAGS) -o $@ $(CLI_SRC) $(CORE_LIB) $(CLI_LIBS) \
	    $(APR_LIBS) $(SAN) $(LDFLAGS)

install: install-cli

# The integration tests run out/ajplb (tests/integration/test_cli_*.sh).
check-integration: $(CLI_BIN)

install-cli: $(CLI_BIN)
	install -d $(DESTDIR)$(prefix)/bin $(DESTDIR)$(prefix)/share/man/man1
	install -m 755 $(CLI_BIN) $(DESTDIR)$(prefix)/bin/ajplb
	install -m 644 docs/man/ajplb.1 $(DESTDIR)$(prefix)/share/man/man1/ajplb.1

# make bench: mod_ajplb vs mod_jk vs mod_proxy_ajp vs a static file
# (docs/BENCHMARKS.md; BENCH_SECONDS, BENCH_ROUNDS, ... in bench/run.sh).
bench: $(MODULE) $(TOOL_BIN)
	@scripts/deps.sh bench
	@OUT=$(CURDIR)/$(OUT) bench/run.sh

# make chaos / chaos-short: docs/RELIABILITY.md; CHAOS_MODULE, CHAOS_FRONTS,
# CHAOS_SCENARIOS, CHAOS_LABEL in tests/chaos/chaos.py.
chaos: $(MODULE) $(TOOL_BIN)
	@scripts/deps.sh bench
	@tests/chaos/chaos.py --out $(OUT) --report docs/RELIABILITY.md

chaos-short: $(MODULE) $(TOOL_BIN)
	@scripts/deps.sh chaos
	@tests/chaos/chaos.py --short --out $(OUT)

clean:
	rm -rf $(OUT)

endif

# ------------------------------------------------ operator documentation ---
# Every message the module writes has an entry in docs/TROUBLESHOOTING.md
# (tests/check_messages.py reads the messages from the C sources; no build
# needed, so it works before configure too).
check-messages:
	@tests/check_messages.sh

.PHONY: check-messages

configure: configure.ac
	autoconf

configure-now: configure
	./configure $(CONFIGURE_ARGS)

distclean: clean
	rm -rf configure config.log config.status autom4te.cache build/config.mk

.PHONY: tools all check check-asan check-unit check-integration check-layering \
        check-catalogue check-interop \
        fuzz install clean distclean configure-now demo demo-stop bench \
        chaos chaos-short

# ------------------------------------------------------ Debian package ---
# make deb: out/deb/libapache2-mod-ajplb_<version>_<arch>.deb, built with
# dpkg-buildpackage/debhelper/dh_apache2 from a copy of the tree (debian/,
# docs/PACKAGING.md).  make check-deb (root; CI runs it on its own, not in
# parallel with itself): lintian, dpkg -i, a2enmod ajplb in a copy of
# /etc/apache2, configtest, start, a request to Tomcat, graceful restart,
# dpkg --purge leaves nothing behind (tests/deb/test_deb.sh).
deb:
	@scripts/deps.sh deb
	@scripts/build-deb.sh $(OUT)/deb

check-deb: deb
	@scripts/deps.sh check
	@tests/deb/test_deb.sh $(OUT)/deb

.PHONY: deb check-deb

# ---------------------------------------------------------------- demo ---
# make demo-failover: after make demo, stop the Tomcat that holds the demo
# session, show the session going on on the other one, start it again
# (scripts/demo.sh, docs/DEMO.md).
demo-failover:
	@OUT=$(CURDIR)/$(OUT) scripts/demo.sh failover

.PHONY: demo-failover

.PHONY: install-cli
