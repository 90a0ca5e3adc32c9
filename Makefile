# libram: Makefile (GNU make).
#
# Targets
#   all (default)   lib/libram.so.X.Y.Z with symlinks lib/libram.so.X and
#                   lib/libram.so, lib/libram.a, ram.pc
#   examples        examples/NAME for every examples/NAME.c (one file each,
#                   linked with lib/libram.a)
#   apps            apps/NAME/ram-NAME for every apps/NAME/main.c (plus
#                   apps/NAME/*.c and apps/common/*.c, linked with
#                   lib/libram.a), and bench/ram-bench if bench/*.c exist
#   check           builds the above and the tests, then runs in order:
#                   scripts/check-headers.sh (each public header alone as C99
#                   and C++11, and with clang -Wdocumentation),
#                   scripts/check-exports.sh (exported symbols ==
#                   lib/ram.map), scripts/check-pkgconfig.sh (ram.pc
#                   installed with DESTDIR, queried without any other .pc
#                   file, programs linked from it), the link test (C, C++
#                   and static), the
#                   library's Check runner $(BUILD)/tests/ram-test, then the
#                   apps' Check runner $(BUILD)/apps/tests/ram-apps-test,
#                   the examples, and scripts/check-mpi.sh (skipped, visibly,
#                   without mpicc or mpirun)
#   check-lib       the library's part of check only (no examples, apps or
#                   apps tests)
#   check-mpi       scripts/check-mpi.sh alone: examples/mpi and
#                   ram-mnist-mpi on 1 and 2 ranks (docs/mpi.md); a "skipped"
#                   line without $(MPICC) or $(MPIRUN)
#   check-python    the Python binding (bindings/python): enums in step with
#                   the headers, its tests (pytest, else unittest) against
#                   lib/libram.so, mypy --strict when mypy is installed; check
#                   runs it last. Skipped, visibly, without python3 and NumPy
#   check-python-asan  the binding's bad-input and API tests with an ASan
#                   build of the library (build-asan-py/) and LD_PRELOAD=libasan
#   check-sanitize  both Check runners built in build-asan/ with ASan+UBSan,
#                   run with CK_FORK=no (leaves lib/ and build/ alone)
#   check-valgrind  both Check runners under valgrind, CK_FORK=no
#   check-abi       lib/libram.so against the committed ABI baseline
#                   abi/libram-VERSION.abi (abidiff; fails on any change and
#                   when the version has no baseline; docs/abi.md)
#   abi-baseline    writes abi/libram-VERSION.abi (needs the version's
#                   CHANGELOG.md entry); the lead runs it when the ABI changes
#   fuzz            builds the libFuzzer targets fuzz/fuzz_*.c with clang
#                   (ASan+UBSan, in build-fuzz/) and runs each for
#                   FUZZ_SECONDS (60) seconds on a seed corpus made at fuzz
#                   time from models/*.ram and fuzz/gen_seeds.c; prints
#                   executions and crashes per target (crash inputs in
#                   build-fuzz/artifacts/); fails on any crash
#   bench-checks    the cost of the finite checks: a training step and a
#                   batch-1 step with and without them, alternately in one
#                   process (BENCH_CHECKS_SECONDS, 30)
#   check-tsan      the library's Check runner built with GCC's
#                   ThreadSanitizer in build-tsan/ (target_clones off:
#                   -DRAM_NO_CLONES), run with CK_FORK=no
#   bench           builds and runs bench/ram-bench
#   demo            builds the apps and runs apps/mnist/demo.sh (which
#                   fetches MNIST with scripts/fetch-mnist.sh if it is absent)
#   install, uninstall, clean
#
# Variables (command line or environment)
#   CC, CXX, AR, PKG_CONFIG   tools (cc, c++, ar, pkg-config)
#   CLANG           clang for the headers' -Wdocumentation check (skipped,
#                   visibly, when it is not installed)
#   CFLAGS (-O2 -g), CXXFLAGS (-O2 -g), CPPFLAGS, LDFLAGS
#                   user flags; the project's own flags (-std=c11, warnings,
#                   -fPIC, -fvisibility=hidden, ...) are always added
#   WERROR          -Werror by default; WERROR= makes warnings non-fatal
#   V=1             show the full commands
#   BUILD           directory for objects and test binaries (build)
#   CBLAS_PC        pkg-config module of the CBLAS provider (openblas). Set it
#                   empty to give CBLAS_CFLAGS and CBLAS_LIBS by hand.
#   CBLAS_CFLAGS, CBLAS_LIBS
#                   default: pkg-config --cflags/--libs $(CBLAS_PC). The
#                   library includes <cblas.h>. Examples:
#                     make                                       (OpenBLAS)
#                     make CBLAS_PC= CBLAS_LIBS=-lblis \
#                       CBLAS_CFLAGS="-isystem /usr/include/x86_64-linux-gnu/blis-openmp"
#                                                     (BLIS, Debian libblis-dev)
#   CHECK_CFLAGS, CHECK_LIBS  default: pkg-config --cflags/--libs check
#   MPICC, MPIRUN   MPI compiler wrapper and launcher (mpicc, mpirun): MPI
#                   programs are built only when MPICC exists
#   ABIDW, ABIDIFF  libabigail tools for check-abi (abidw, abidiff)
#   PYTHON          a python3 that imports numpy (default: the first of python3,
#                   /usr/bin/python3 that does); MYPY (mypy)
#   RAM_TEST_ARGS   arguments for both test runners, e.g.
#                     make check RAM_TEST_ARGS="--exclude-tag slow"
#                   (ram-test [--tag T] [--exclude-tag T] [--list] [suite...])
#   PREFIX (/usr/local), LIBDIR ($(PREFIX)/lib), INCLUDEDIR ($(PREFIX)/include),
#   PKGCONFIGDIR ($(LIBDIR)/pkgconfig), DESTDIR   for install and uninstall

.DEFAULT_GOAL := all
.SUFFIXES:
.DELETE_ON_ERROR:

# ---------------------------------------------------------------------------
# Version: only in include/ram/version.h.
VERSION_H := include/ram/version.h
ram_version_field = $(shell sed -n 's/^[[:space:]]*.[[:space:]]*define[[:space:]][[:space:]]*RAM_VERSION_$(1)[[:space:]][[:space:]]*\([0-9][0-9]*\).*/\1/p' $(VERSION_H))
VERSION_MAJOR := $(call ram_version_field,MAJOR)
VERSION_MINOR := $(call ram_version_field,MINOR)
VERSION_PATCH := $(call ram_version_field,PATCH)
ifeq ($(and $(VERSION_MAJOR),$(VERSION_MINOR),$(VERSION_PATCH)),)
$(error could not read RAM_VERSION_MAJOR/MINOR/PATCH from $(VERSION_H))
endif
VERSION := $(VERSION_MAJOR).$(VERSION_MINOR).$(VERSION_PATCH)

# The soname is libram.so.MAJOR; before 1.0, when every minor version may
# break the ABI, it is libram.so.0.MINOR (docs/abi.md).
SO_VERSION := $(if $(filter 0,$(VERSION_MAJOR)),$(VERSION_MAJOR).$(VERSION_MINOR),$(VERSION_MAJOR))
SO_NAME   := libram.so.$(SO_VERSION)
SO_FULL   := lib/libram.so.$(VERSION)
SO_MAJOR  := lib/$(SO_NAME)
SO_DEV    := lib/libram.so
STATICLIB := lib/libram.a
MAP       := lib/ram.map
PC        := ram.pc

# ---------------------------------------------------------------------------
# Tools and flags.
ifeq ($(origin CC),default)
CC := cc
endif
ifeq ($(origin CXX),default)
CXX := c++
endif
PKG_CONFIG ?= pkg-config
CLANG      ?= clang
INSTALL    ?= install
NM         ?= nm

CFLAGS   ?= -O2 -g
CXXFLAGS ?= -O2 -g
CPPFLAGS ?=
LDFLAGS  ?=
WERROR   ?= -Werror
BUILD    ?= build

WARN_FLAGS := -Wall -Wextra $(WERROR)
RAM_CFLAGS := -std=c11 $(WARN_FLAGS) -fPIC -fvisibility=hidden \
              -D_POSIX_C_SOURCE=200809L
# Set by check-sanitize for its sub-make (compile and link).
SANITIZE_FLAGS ?=

# -Iinclude first, so that an installed libram never shadows the tree's.
ALL_CFLAGS  = -Iinclude $(CPPFLAGS) $(CFLAGS) $(RAM_CFLAGS) $(SANITIZE_FLAGS)
ALL_LDFLAGS = $(LDFLAGS) $(SANITIZE_FLAGS)

# Goals that need neither CBLAS nor Check.
NOCONFIG_GOALS := clean uninstall help
ifneq ($(filter-out $(NOCONFIG_GOALS),$(or $(MAKECMDGOALS),all)),)
NEED_CONFIG := 1
endif

# CBLAS provider.
CBLAS_PC ?= openblas
ifneq ($(strip $(CBLAS_PC)),)
  # Fail early when pkg-config is needed and does not know the module.
  ifneq ($(and $(NEED_CONFIG),$(filter undefined,$(origin CBLAS_CFLAGS) $(origin CBLAS_LIBS))),)
    ifneq ($(shell $(PKG_CONFIG) --exists $(CBLAS_PC) && echo yes),yes)
      $(error pkg-config module '$(CBLAS_PC)' not found: install it \
        (scripts/setup-debian.sh installs libopenblas-dev) or use \
        make CBLAS_PC= CBLAS_CFLAGS=... CBLAS_LIBS=...)
    endif
  endif
  ifeq ($(origin CBLAS_CFLAGS),undefined)
    CBLAS_CFLAGS := $(if $(NEED_CONFIG),$(shell $(PKG_CONFIG) --cflags $(CBLAS_PC) 2>/dev/null))
  endif
  ifeq ($(origin CBLAS_LIBS),undefined)
    CBLAS_LIBS := $(if $(NEED_CONFIG),$(shell $(PKG_CONFIG) --libs $(CBLAS_PC) 2>/dev/null))
  endif
else
  CBLAS_CFLAGS ?=
  CBLAS_LIBS ?=
  ifeq ($(NEED_CONFIG)$(strip $(CBLAS_LIBS)),1)
    $(warning CBLAS_PC and CBLAS_LIBS are both empty: the link will miss cblas_*)
  endif
endif

# Check (unit tests).
ifeq ($(origin CHECK_CFLAGS),undefined)
  CHECK_CFLAGS := $(if $(NEED_CONFIG),$(shell $(PKG_CONFIG) --cflags check 2>/dev/null))
endif
ifeq ($(origin CHECK_LIBS),undefined)
  CHECK_LIBS := $(if $(NEED_CONFIG),$(shell $(PKG_CONFIG) --libs check 2>/dev/null))
endif

# What programs (examples, bench, tests) link besides libram.
APP_LIBS = $(CBLAS_LIBS) -lz -lpng -lm

# ---------------------------------------------------------------------------
# Quiet output (V=1 shows commands).
ifeq ($(V),1)
Q :=
msg = @true
else
Q := @
msg = @printf '  %-8s %s\n' '$(1)' '$(2)'
endif

# ---------------------------------------------------------------------------
# Sources.
LIB_SRCS := $(sort $(wildcard lib/*.c))
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o)
HEADERS  := $(sort $(wildcard include/ram/*.h))

# Examples: examples/NAME.c makes examples/NAME (one file, libram only).
EXAMPLE_SRCS  := $(sort $(wildcard examples/*.c))
EXAMPLE_BINS  := $(EXAMPLE_SRCS:%.c=%)

# Apps: apps/NAME/main.c makes apps/NAME/ram-NAME.
APP_NAMES      := $(filter-out common tests,$(patsubst apps/%/main.c,%,$(wildcard apps/*/main.c)))
APP_BINS       := $(foreach n,$(APP_NAMES),apps/$(n)/ram-$(n))
APP_COMMON_SRCS := $(sort $(wildcard apps/common/*.c))
# App modules the apps' tests link: every app source but main.c.
APP_MODULE_SRCS := $(sort $(filter-out %/main.c apps/tests/%,$(wildcard apps/*/*.c)))

BENCH_SRCS := $(sort $(wildcard bench/*.c))
BENCH_BIN  := $(if $(BENCH_SRCS),bench/ram-bench)
# What the benchmark takes from the apps: the thread replicas.
BENCH_APP_SRCS := apps/common/replicas.c

TEST_SRCS   := $(sort $(wildcard tests/test_*.c))
TEST_BIN    := $(BUILD)/tests/ram-test
SUITES_H    := $(BUILD)/tests/suites.h
TEST_OBJS   := $(TEST_SRCS:%.c=$(BUILD)/%.o) $(BUILD)/tests/runner.o $(BUILD)/tests/gradcheck.o
LINK_TESTS  := $(BUILD)/tests/link-test $(BUILD)/tests/link-test-cxx \
               $(BUILD)/tests/link-test-static

APP_TEST_SRCS := $(sort $(wildcard apps/tests/test_*.c))
APP_TEST_BIN  := $(BUILD)/apps/tests/ram-apps-test
APP_SUITES_H  := $(BUILD)/apps/tests/suites.h
APP_TEST_OBJS := $(APP_TEST_SRCS:%.c=$(BUILD)/%.o) $(BUILD)/apps/tests/runner.o

objs = $(patsubst %.c,$(BUILD)/%.o,$(1))

# Per-directory compile flags. Apps see the public headers and
# apps/common/*.h ("rng.h" or "common/rng.h"); the library's tests also see
# lib/*.h; the apps' tests see the headers of every app directory ("idx.h",
# "game.h"), so header names must be unique across apps/*/.
APP_HDR_DIRS := $(filter-out apps/tests,$(patsubst %/,%,$(sort $(dir $(wildcard apps/*/*.h)))))
APP_INC      := -Iapps -Iapps/common
TEST_INC     := -Ilib -I$(BUILD)/tests
APP_TEST_INC := -Iapps $(addprefix -I,$(APP_HDR_DIRS)) -I$(BUILD)/apps/tests
# The library's elementwise loops (ReLU, LSTM gates, Adam): GCC vectorises
# them at -O2 only with the dynamic cost model (the default at -O3), and
# sqrtf/expf only without errno (libram never reads errno). No contraction
# into fused multiply-adds: the AVX2/AVX-512 clones of the hot loops
# (RAM_CLONES in lib/internal.h) must give the baseline's bits.
LIB_OPT_FLAGS := -fno-math-errno -ffp-contract=off $(shell $(CC) -Werror -fvect-cost-model=dynamic \
                   -x c -c -o /dev/null /dev/null 2>/dev/null && \
                   echo -fvect-cost-model=dynamic)
$(BUILD)/lib/%.o:      DIR_CFLAGS = -DRAM_BUILDING $(LIB_OPT_FLAGS) $(CBLAS_CFLAGS)
$(BUILD)/examples/%.o: DIR_CFLAGS =
$(BUILD)/apps/%.o:     DIR_CFLAGS = $(APP_INC)
$(BUILD)/bench/%.o:    DIR_CFLAGS = $(APP_INC)
$(BUILD)/tests/%.o:    DIR_CFLAGS = $(TEST_INC) $(CBLAS_CFLAGS) $(CHECK_CFLAGS)
$(BUILD)/apps/tests/%.o: DIR_CFLAGS = $(APP_TEST_INC) $(CHECK_CFLAGS)

# ---------------------------------------------------------------------------
# MPI (docs/mpi.md): examples/mpi.c and apps/mnist-mpi (ram-mnist-mpi) need
# mpi.h, so they are built with $(MPICC), and only when it exists; `make
# check` then runs scripts/check-mpi.sh (with $(MPIRUN), or a "skipped" line).
MPICC  ?= mpicc
MPIRUN ?= mpirun
HAVE_MPICC := $(if $(shell command -v $(MPICC) 2>/dev/null),yes)
MPI_EXAMPLE_BINS := $(filter examples/mpi,$(EXAMPLE_BINS))
MPI_APP_NAMES    := $(filter mnist-mpi,$(APP_NAMES))
MPI_APP_BINS     := $(foreach n,$(MPI_APP_NAMES),apps/$(n)/ram-$(n))
MPI_BINS         := $(MPI_EXAMPLE_BINS) $(MPI_APP_BINS)
EXAMPLE_BINS     := $(filter-out $(MPI_EXAMPLE_BINS),$(EXAMPLE_BINS))
APP_NAMES        := $(filter-out $(MPI_APP_NAMES),$(APP_NAMES))
APP_BINS         := $(foreach n,$(APP_NAMES),apps/$(n)/ram-$(n))
# ram-mnist-mpi links ram-mnist's modules (all of apps/mnist but main.c).
MPI_APP_SRCS := $(filter-out apps/mnist/main.c,$(wildcard apps/mnist/*.c)) \
                $(APP_COMMON_SRCS)
ifeq ($(HAVE_MPICC),yes)
examples: $(MPI_EXAMPLE_BINS)
apps: $(MPI_APP_BINS)

examples/mpi: examples/mpi.c $(STATICLIB) $(BUILD)/build-flags
	$(call msg,MPICC,$@)
	$(Q)$(MPICC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(STATICLIB) $(APP_LIBS)

$(BUILD)/apps/mnist-mpi/main.o: apps/mnist-mpi/main.c $(BUILD)/build-flags
	$(call msg,MPICC,$<)
	@mkdir -p $(@D)
	$(Q)$(MPICC) $(ALL_CFLAGS) $(APP_INC) -Iapps/mnist -MMD -MP -c -o $@ $<

apps/mnist-mpi/ram-mnist-mpi: $(BUILD)/apps/mnist-mpi/main.o \
		$(call objs,$(MPI_APP_SRCS)) $(STATICLIB)
	$(call msg,MPICC,$@)
	$(Q)$(MPICC) $(ALL_LDFLAGS) -o $@ $(filter %.o,$^) $(STATICLIB) $(APP_LIBS)
endif

.PHONY: check-mpi
check-mpi: $(if $(HAVE_MPICC),$(MPI_BINS))
	$(Q)HAVE_MPICC='$(HAVE_MPICC)' MPIRUN='$(MPIRUN)' BUILD='$(BUILD)' \
		bash scripts/check-mpi.sh

# ---------------------------------------------------------------------------
# Main targets.
.PHONY: all examples apps check check-lib check-sanitize check-valgrind check-abi \
        abi-baseline bench demo install uninstall clean help test-run FORCE

all: $(SO_FULL) $(SO_MAJOR) $(SO_DEV) $(STATICLIB) $(PC)

examples: $(EXAMPLE_BINS)
	@:

apps: $(APP_BINS) $(BENCH_BIN)
	@:

# Everything is rebuilt when the flags change.
FLAGS_STAMP := $(BUILD)/build-flags
FLAGS_NOW = $(CC) $(ALL_CFLAGS) | $(CBLAS_CFLAGS) | $(CHECK_CFLAGS) | \
            $(ALL_LDFLAGS) | $(CBLAS_LIBS) | $(CHECK_LIBS)
$(FLAGS_STAMP): FORCE
	@mkdir -p $(@D)
	@printf '%s\n' '$(subst ','\'',$(FLAGS_NOW))' > $@.tmp; \
	if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv -f $@.tmp $@; fi

$(BUILD)/%.o: %.c $(FLAGS_STAMP)
	$(call msg,CC,$<)
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) $(DIR_CFLAGS) -MMD -MP -c -o $@ $<

# Library.
$(SO_FULL): $(LIB_OBJS) $(MAP) $(FLAGS_STAMP)
	$(call msg,LD,$@)
	$(Q)$(CC) -shared $(ALL_LDFLAGS) -Wl,-soname,$(SO_NAME) \
		-Wl,--version-script=$(MAP) -Wl,--no-undefined \
		-o $@ $(LIB_OBJS) $(CBLAS_LIBS) -lm

$(SO_MAJOR): $(SO_FULL)
	$(Q)ln -sf $(notdir $<) $@

$(SO_DEV): $(SO_MAJOR)
	$(Q)ln -sf $(notdir $<) $@

$(STATICLIB): $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@
	$(Q)$(AR) rcs $@ $(LIB_OBJS)

# pkg-config file; rewritten only when its content changes (PREFIX, ...).
PREFIX       ?= /usr/local
LIBDIR       ?= $(PREFIX)/lib
INCLUDEDIR   ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
PC_LIBDIR     = $(patsubst $(PREFIX)/%,$${prefix}/%,$(LIBDIR))
PC_INCLUDEDIR = $(patsubst $(PREFIX)/%,$${prefix}/%,$(INCLUDEDIR))
# The CBLAS goes in Libs.private only (not Requires.private): the public
# headers do not include <cblas.h>, so `pkg-config --cflags ram` must not
# emit the CBLAS's include directory (pkgconf adds a Requires.private
# module's Cflags to --cflags), and `pkg-config ram` must work where the
# CBLAS has no .pc file. `pkg-config --static --libs ram` gives the
# static library's link line.
PC_LIBS_PRIVATE = $(strip $(CBLAS_LIBS) -lm)

$(PC): ram.pc.in FORCE
	@sed -e 's|@PREFIX@|$(PREFIX)|g' \
	    -e 's|@LIBDIR@|$(PC_LIBDIR)|g' \
	    -e 's|@INCLUDEDIR@|$(PC_INCLUDEDIR)|g' \
	    -e 's|@VERSION@|$(VERSION)|g' \
	    -e 's|@LIBS_PRIVATE@|$(PC_LIBS_PRIVATE)|g' \
	    -e '/^[A-Za-z.]*:[[:space:]]*$$/d' $< > $@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; \
	else mv -f $@.tmp $@; printf '  %-8s %s\n' GEN $@; fi

# Examples: one file each, public headers only, linked with lib/libram.a.
.PRECIOUS: $(BUILD)/examples/%.o
examples/%: $(BUILD)/examples/%.o $(STATICLIB)
	$(call msg,LD,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $< $(STATICLIB) $(APP_LIBS)

# Apps: apps/NAME/*.c + apps/common/*.c + lib/libram.a.
define app_program
apps/$(1)/ram-$(1): $$(call objs,$$(sort $$(wildcard apps/$(1)/*.c)) $$(APP_COMMON_SRCS)) $$(STATICLIB)
	$$(call msg,LD,$$@)
	$$(Q)$$(CC) $$(ALL_LDFLAGS) -o $$@ $$(filter %.o,$$^) $$(STATICLIB) $$(APP_LIBS)
endef
$(foreach n,$(APP_NAMES),$(eval $(call app_program,$(n))))

ifneq ($(BENCH_BIN),)
$(BENCH_BIN): $(call objs,$(BENCH_SRCS) $(BENCH_APP_SRCS)) $(STATICLIB)
	$(call msg,LD,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(filter %.o,$^) $(STATICLIB) $(APP_LIBS)
endif

bench: $(BENCH_BIN)
ifneq ($(BENCH_BIN),)
	./$(BENCH_BIN)
else
	@echo "no bench/*.c: nothing to run"
endif

demo: apps
	bash apps/mnist/demo.sh

# ---------------------------------------------------------------------------
# Tests.
# Suites are found by tests/gen-suites.sh: each 'Suite *suite_NAME(void)' at
# the start of a line in tests/test_*.c. suites.h is rewritten only when the
# list changes.
$(SUITES_H): tests/gen-suites.sh FORCE
	@mkdir -p $(@D)
	$(Q)bash tests/gen-suites.sh $@ $(TEST_SRCS)

$(BUILD)/tests/runner.o: $(SUITES_H)

# The library's runner links the library objects directly (tests may call
# internal lib/*.h functions), and nothing of the apps (zlib's crc32 checks
# the model files' checksum).
$(TEST_BIN): $(TEST_OBJS) $(LIB_OBJS) $(FLAGS_STAMP)
	$(call msg,LD,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(filter %.o,$^) $(CHECK_LIBS) $(CBLAS_LIBS) -lz -lm

# The apps' runner: the same runner.c over apps/tests/test_*.c, linked with
# the app modules (all but main.c) and the library objects (the public API).
$(APP_SUITES_H): tests/gen-suites.sh FORCE
	@mkdir -p $(@D)
	$(Q)bash tests/gen-suites.sh $@ $(APP_TEST_SRCS)

$(BUILD)/apps/tests/runner.o: tests/runner.c $(APP_SUITES_H) $(FLAGS_STAMP)
	$(call msg,CC,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) $(APP_TEST_INC) $(CHECK_CFLAGS) -MMD -MP -c -o $@ $<

$(APP_TEST_BIN): $(APP_TEST_OBJS) $(call objs,$(APP_MODULE_SRCS)) $(LIB_OBJS) $(FLAGS_STAMP)
	$(call msg,LD,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(filter %.o,$^) $(CHECK_LIBS) $(APP_LIBS)

# Link test: public headers only, against lib/libram.so, as C99, as C++11,
# and against lib/libram.a.
LINK_TEST_DEPS = tests/link_test.c $(HEADERS) $(FLAGS_STAMP)
$(BUILD)/tests/link-test: $(LINK_TEST_DEPS) $(SO_DEV)
	$(call msg,CC,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) -std=c99 -pedantic $(WARN_FLAGS) -Iinclude $(CPPFLAGS) $(CFLAGS) \
		-Llib $(ALL_LDFLAGS) -o $@ tests/link_test.c \
		-lram -Wl,-rpath,$(CURDIR)/lib

$(BUILD)/tests/link-test-cxx: $(LINK_TEST_DEPS) $(SO_DEV)
	$(call msg,CXX,$@)
	@mkdir -p $(@D)
	$(Q)$(CXX) -std=c++11 -pedantic $(WARN_FLAGS) -Iinclude $(CPPFLAGS) \
		$(CXXFLAGS) -Llib $(ALL_LDFLAGS) -o $@ -x c++ tests/link_test.c -x none \
		-lram -Wl,-rpath,$(CURDIR)/lib

$(BUILD)/tests/link-test-static: $(LINK_TEST_DEPS) $(STATICLIB)
	$(call msg,CC,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) -std=c99 -pedantic $(WARN_FLAGS) -Iinclude $(CPPFLAGS) $(CFLAGS) \
		-DLINK_TEST_KIND='"static"' $(ALL_LDFLAGS) -o $@ tests/link_test.c \
		$(STATICLIB) $(CBLAS_LIBS) -lm

# check-lib: the library's own gate (headers, exports, version, link tests,
# library suites), without building the examples or apps.
check-lib: all $(TEST_BIN) $(LINK_TESTS)
	@echo "== public headers alone (C99, C++11, clang -Wdocumentation)"
	$(Q)CC='$(CC)' CXX='$(CXX)' CLANG='$(CLANG)' bash scripts/check-headers.sh include
	@echo "== exported symbols vs $(MAP)"
	$(Q)NM='$(NM)' bash scripts/check-exports.sh $(SO_FULL) $(STATICLIB) \
		$(MAP) include $(VERSION)
	@echo "== version $(VERSION): $(PC), CHANGELOG.md"
	$(Q)$(PKG_CONFIG) --validate ./$(PC)
	$(Q)if [ -f CHANGELOG.md ]; then \
		top=$$(sed -n 's/^##*[[:space:]]*\[\{0,1\}v\{0,1\}\([0-9][0-9]*\.[0-9][0-9]*\.[0-9][0-9]*\).*/\1/p' CHANGELOG.md | sed -n 1p); \
		if [ "$$top" != "$(VERSION)" ]; then \
			echo "CHANGELOG.md: top entry is '$$top', expected $(VERSION) (include/ram/version.h)" >&2; \
			exit 1; \
		fi; \
	fi
	@echo "version $(VERSION) OK"
	@echo "== ram.pc installed (DESTDIR) and queried without other .pc files"
	$(Q)MAKE='$(MAKE)' PKG_CONFIG='$(PKG_CONFIG)' CC='$(CC)' PREFIX='$(PREFIX)' \
		LIBDIR='$(LIBDIR)' INCLUDEDIR='$(INCLUDEDIR)' PKGCONFIGDIR='$(PKGCONFIGDIR)' \
		bash scripts/check-pkgconfig.sh $(VERSION)
	@echo "== link test (shared C, shared C++, static)"
	$(Q)$(BUILD)/tests/link-test
	$(Q)$(BUILD)/tests/link-test-cxx
	$(Q)$(BUILD)/tests/link-test-static
	@echo "== library tests"
	$(Q)$(TEST_BIN) $(RAM_TEST_ARGS)

check: check-lib examples apps $(APP_TEST_BIN)
	@echo "== apps tests"
	$(Q)$(APP_TEST_BIN) $(RAM_TEST_ARGS)
	$(Q)$(MAKE) --no-print-directory check-examples
	$(Q)$(MAKE) --no-print-directory check-mpi
	$(Q)$(MAKE) --no-print-directory check-python

# check-examples: every example, run with quick arguments (check runs it
# last). examples/mnist runs only when MNIST is in $RAM_MNIST_DIR or
# data/mnist, else a "skipped" line says so. README.md's minimal program must
# be examples/hello.c verbatim.
.PHONY: check-examples
check-examples: examples
	@echo "== examples"
	$(Q)sed -n '/^## A minimal program/,/^## /{/^```c$$/,/^```$$/p;}' README.md | \
		sed '1d;$$d' | cmp -s - examples/hello.c || { echo "README.md: the code" \
		"under '## A minimal program' differs from examples/hello.c" >&2; exit 1; }
	$(Q)./examples/hello
	$(Q)./examples/threads --updates 3
	$(Q)./examples/catch --train 2000 --eval 200
	$(Q)./examples/catch --eval 200 models/catch.ram
	$(Q)d=$${RAM_MNIST_DIR:-data/mnist}; if [ -d "$$d" ]; then mkdir -p $(BUILD) && \
		./examples/mnist --data "$$d" --train 2000 --epochs 1 \
		--out $(BUILD)/examples-mnist.ram; else echo "examples/mnist: skipped" \
		"(no MNIST in \$$RAM_MNIST_DIR or data/mnist; scripts/fetch-mnist.sh DIR)"; fi

# Runs the test binaries of this $(BUILD); used by the targets below.
test-run: $(TEST_BIN) $(APP_TEST_BIN)
	@echo "== library tests"
	$(Q)$(TEST_ENV) $(TEST_BIN) $(RAM_TEST_ARGS)
	@echo "== apps tests"
	$(Q)$(TEST_ENV) $(APP_TEST_BIN) $(RAM_TEST_ARGS)

SANITIZE := -fsanitize=address,undefined -fno-omit-frame-pointer \
            -fno-sanitize-recover=all
check-sanitize:
	@echo "== unit tests with ASan+UBSan (build-asan)"
	$(Q)$(MAKE) --no-print-directory BUILD=build-asan \
		SANITIZE_FLAGS='$(SANITIZE)' \
		TEST_ENV='CK_FORK=no ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1' \
		test-run

VALGRIND ?= valgrind
VALGRIND_FLAGS ?= --error-exitcode=1 --leak-check=full
check-valgrind:
	@echo "== unit tests under valgrind"
	$(Q)$(MAKE) --no-print-directory test-run \
		TEST_ENV='CK_FORK=no OPENBLAS_NUM_THREADS=1 $(VALGRIND) $(VALGRIND_FLAGS)'

# ---------------------------------------------------------------------------
# Fuzzing (docs/reliability.md): libFuzzer targets fuzz/fuzz_*.c, built with
# clang, ASan and UBSan over the library's sources (no target_clones under
# clang). The seed corpus is made at fuzz time, never committed.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_BUILD   := build-fuzz
FUZZ_SRCS    := $(sort $(wildcard fuzz/fuzz_*.c))
FUZZ_BINS    := $(FUZZ_SRCS:fuzz/%.c=$(FUZZ_BUILD)/%)
FUZZ_LIB_OBJS := $(LIB_SRCS:lib/%.c=$(FUZZ_BUILD)/lib/%.o)
FUZZ_CFLAGS  := -g -O1 -std=c11 -Wall -Wextra -Werror -D_POSIX_C_SOURCE=200809L \
                -Iinclude -ffp-contract=off -fno-math-errno \
                -fsanitize=address,undefined -fno-sanitize-recover=all

.PHONY: fuzz fuzz-build
$(FUZZ_BUILD)/lib/%.o: lib/%.c $(wildcard lib/*.h include/ram/*.h)
	$(call msg,CC,$@)
	@mkdir -p $(@D)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -DRAM_BUILDING \
		$(CBLAS_CFLAGS) -c -o $@ $<

$(FUZZ_BUILD)/fuzz_%: fuzz/fuzz_%.c fuzz/fuzz.h $(FUZZ_LIB_OBJS)
	$(call msg,LD,$@)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< \
		$(FUZZ_LIB_OBJS) $(CBLAS_LIBS) -lz -lm

$(FUZZ_BUILD)/gen_seeds: fuzz/gen_seeds.c $(FUZZ_LIB_OBJS)
	$(call msg,LD,$@)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_LIB_OBJS) $(CBLAS_LIBS) -lm

fuzz-build: $(FUZZ_BINS) $(FUZZ_BUILD)/gen_seeds

fuzz: fuzz-build
	$(Q)rm -rf $(FUZZ_BUILD)/seeds && mkdir -p $(FUZZ_BUILD)/seeds && \
		./$(FUZZ_BUILD)/gen_seeds $(FUZZ_BUILD)/seeds && \
		cp models/*.ram $(FUZZ_BUILD)/seeds/
	$(Q)fail=0; for t in $(FUZZ_BINS); do n=$$(basename $$t); \
		mkdir -p $(FUZZ_BUILD)/corpus/$$n $(FUZZ_BUILD)/artifacts/$$n; \
		echo "== $$n: $(FUZZ_SECONDS) s"; \
		OPENBLAS_NUM_THREADS=1 ./$$t -max_total_time=$(FUZZ_SECONDS) \
			-print_final_stats=1 -rss_limit_mb=4096 -timeout=20 \
			-artifact_prefix=$(FUZZ_BUILD)/artifacts/$$n/ \
			$(FUZZ_BUILD)/corpus/$$n $(FUZZ_BUILD)/seeds \
			> $(FUZZ_BUILD)/$$n.log 2>&1 || fail=1; \
		grep -E '^stat::(number_of_executed_units|peak_rss_mb)|^Done ' \
			$(FUZZ_BUILD)/$$n.log; \
		c=$$(ls $(FUZZ_BUILD)/artifacts/$$n | wc -l); \
		echo "$$n: $$c crash input(s) in $(FUZZ_BUILD)/artifacts/$$n"; \
		[ $$c -eq 0 ] || { fail=1; tail -30 $(FUZZ_BUILD)/$$n.log; }; \
	done; exit $$fail

# ---------------------------------------------------------------------------
# The cost of the finite checks (docs/reliability.md): the library linked
# twice as a shared object, as built and with the checks compiled out
# (-DRAM_NO_FINITE_CHECKS, objects in build-nochecks/); tests/bench_checks.c
# loads both and times them alternately in one process for
# BENCH_CHECKS_SECONDS of CPU time; prints the medians and the ratios.
BENCH_CHECKS_SECONDS ?= 30
.PHONY: bench-checks
$(BUILD)/libram-bench.so: $(LIB_OBJS)
	$(call msg,LD,$@)
	$(Q)$(CC) -shared $(ALL_LDFLAGS) -Wl,--version-script=$(MAP) -o $@ \
		$(LIB_OBJS) $(CBLAS_LIBS) -lm

$(BUILD)/bench-checks: tests/bench_checks.c $(FLAGS_STAMP)
	$(call msg,LD,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $< $(ALL_LDFLAGS) -ldl

bench-checks: $(BUILD)/bench-checks $(BUILD)/libram-bench.so
	$(Q)$(MAKE) --no-print-directory BUILD=build-nochecks \
		CPPFLAGS='$(CPPFLAGS) -DRAM_NO_FINITE_CHECKS' build-nochecks/libram-bench.so
	$(Q)OPENBLAS_NUM_THREADS=1 $(BUILD)/bench-checks $(CURDIR)/$(BUILD)/libram-bench.so \
		$(CURDIR)/build-nochecks/libram-bench.so $(BENCH_CHECKS_SECONDS)

# ---------------------------------------------------------------------------
# ThreadSanitizer: GCC's TSan crashes at start-up in target_clones' ifunc
# resolvers (they run before the TSan runtime is initialised), so the build
# switches the clones off.
TSAN_FLAGS := -fsanitize=thread -fno-omit-frame-pointer -DRAM_NO_CLONES
.PHONY: check-tsan
check-tsan:
	@echo "== library tests with ThreadSanitizer (build-tsan)"
	$(Q)$(MAKE) --no-print-directory BUILD=build-tsan \
		SANITIZE_FLAGS='$(TSAN_FLAGS)' build-tsan/tests/ram-test
	$(Q)CK_FORK=no TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
		build-tsan/tests/ram-test $(RAM_TEST_ARGS)

# ---------------------------------------------------------------------------
# ABI guard (docs/abi.md). check-abi compares $(SO_FULL) with the committed
# baseline abi/libram-$(VERSION).abi (libabigail's abidw/abidiff, Debian
# package abigail-tools) and fails on any difference, or when the version has
# no baseline; abi-baseline writes the baseline (after the version's
# CHANGELOG.md entry) and removes the other versions' baselines.
ABIDW   ?= abidw
ABIDIFF ?= abidiff

check-abi: $(SO_FULL)
	@echo "== ABI of $(SO_FULL) vs abi/libram-$(VERSION).abi"
	$(Q)ABIDW='$(ABIDW)' ABIDIFF='$(ABIDIFF)' bash scripts/check-abi.sh check $(SO_FULL) $(VERSION)

abi-baseline: $(SO_FULL)
	$(Q)ABIDW='$(ABIDW)' ABIDIFF='$(ABIDIFF)' bash scripts/check-abi.sh baseline $(SO_FULL) $(VERSION)

# ---------------------------------------------------------------------------
# Install.
install: all
	$(INSTALL) -d $(DESTDIR)$(INCLUDEDIR)/ram $(DESTDIR)$(LIBDIR) \
		$(DESTDIR)$(PKGCONFIGDIR)
	$(INSTALL) -m 644 $(HEADERS) $(DESTDIR)$(INCLUDEDIR)/ram/
	$(INSTALL) -m 755 $(SO_FULL) $(DESTDIR)$(LIBDIR)/
	ln -sf $(notdir $(SO_FULL)) $(DESTDIR)$(LIBDIR)/$(notdir $(SO_MAJOR))
	ln -sf $(notdir $(SO_MAJOR)) $(DESTDIR)$(LIBDIR)/$(notdir $(SO_DEV))
	$(INSTALL) -m 644 $(STATICLIB) $(DESTDIR)$(LIBDIR)/
	$(INSTALL) -m 644 $(PC) $(DESTDIR)$(PKGCONFIGDIR)/

uninstall:
	rm -f $(addprefix $(DESTDIR)$(INCLUDEDIR)/ram/,$(notdir $(HEADERS)))
	rmdir $(DESTDIR)$(INCLUDEDIR)/ram 2>/dev/null || true
	rm -f $(addprefix $(DESTDIR)$(LIBDIR)/,$(notdir $(SO_FULL) $(SO_MAJOR) $(SO_DEV) $(STATICLIB)))
	rm -f $(DESTDIR)$(PKGCONFIGDIR)/$(PC)

clean:
	rm -rf build build-asan build-asan-py build-tsan build-nochecks $(FUZZ_BUILD) $(BUILD)
	rm -f lib/libram.so lib/libram.so.* $(STATICLIB) $(PC) $(PC).tmp
	rm -f $(EXAMPLE_BINS) $(APP_BINS) $(MPI_BINS) bench/ram-bench

help:
	@sed -n '1,/^$$/s/^# \{0,1\}//p' Makefile

FORCE:

-include $(wildcard $(BUILD)/*/*.d $(BUILD)/*/*/*.d $(BUILD)/*/*/*/*.d)

# ---------------------------------------------------------------------------
# The Python binding (bindings/python, docs/python.md). PYTHON: the first
# python3 on the PATH that imports NumPy, else Debian's /usr/bin/python3
# (a pyenv or venv python3 may lack python3-numpy). Expanded only when used.
PYTHON ?= $(shell for p in python3 /usr/bin/python3; do \
	if command -v $$p >/dev/null 2>&1 && $$p -c 'import numpy' >/dev/null 2>&1; then \
	echo $$p; break; fi; done)
MYPY ?= mypy
PY_ENV = RAM_LIBRARY='$(CURDIR)/$(SO_MAJOR)' PYTHONPATH='$(CURDIR)/bindings/python' \
	OPENBLAS_NUM_THREADS=1 CC='$(CC)'
# $(call PY_TESTS,pytest args,unittest args,extra environment)
PY_TESTS = if $(PYTHON) -c 'import pytest' >/dev/null 2>&1; then \
	env $(PY_ENV) $(3) $(PYTHON) -m pytest -q -p no:cacheprovider $(1); else \
	env $(PY_ENV) $(3) $(PYTHON) -m unittest $(2); fi

.PHONY: check-python check-python-asan
check-python: all
	@if [ -z '$(PYTHON)' ]; then \
		echo "== python binding: SKIPPED (no python3 with NumPy; scripts/setup-debian.sh installs python3-numpy)"; \
		exit 0; \
	fi; \
	set -e; \
	echo "== python binding ($(PYTHON), $$($(PYTHON) -c 'import numpy; print("NumPy", numpy.__version__)'))"; \
	$(PYTHON) bindings/python/gen_enums.py --check; \
	cd bindings/python && $(call PY_TESTS,tests,discover -s tests); \
	if command -v $(MYPY) >/dev/null 2>&1; then \
		echo "== python binding: mypy --strict"; \
		$(MYPY) --strict --cache-dir '$(CURDIR)/$(BUILD)/mypy' ram examples bench gen_enums.py; \
	else \
		echo "== python binding: mypy SKIPPED (not installed; Debian package mypy)"; \
	fi

# The library built with ASan+UBSan as a shared object, loaded by Python
# with libasan preloaded (Python itself is not instrumented).
PY_ASAN_LIB := build-asan-py/libram.so.asan
PY_ASAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer
$(PY_ASAN_LIB): $(LIB_SRCS) $(wildcard lib/*.h) $(HEADERS)
	@mkdir -p $(@D)
	$(call msg,LD,$@)
	$(Q)$(CC) -Iinclude $(RAM_CFLAGS) $(PY_ASAN_FLAGS) $(CBLAS_CFLAGS) -shared \
		-Wl,--version-script=$(MAP) -o $@ $(LIB_SRCS) $(CBLAS_LIBS) -lm

check-python-asan: $(PY_ASAN_LIB) all
	@if [ -z '$(PYTHON)' ]; then echo "== python binding (ASan): SKIPPED (no python3 with NumPy)"; exit 0; fi; \
	set -e; echo "== python binding under ASan (bad input, API)"; \
	cd bindings/python && $(call PY_TESTS,tests/test_bad_input.py tests/test_api.py tests/test_errors.py,\
		discover -s tests -p 'test_[bae]*.py',RAM_LIBRARY='$(CURDIR)/$(PY_ASAN_LIB)' \
		LD_PRELOAD="$$($(CC) -print-file-name=libasan.so) $$($(CC) -print-file-name=libubsan.so)" \
		ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 RAM_PY_ASAN=1)
