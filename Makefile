# branchgate - the two commands: `make run` and `make test`.
# Builds live in build/ (release, -Werror), build-asan/ (ASan+UBSan, used by
# the tests) and build-fuzz/ (clang libFuzzer).

API	?= 127.0.0.1:8080
DB	?= sqlite:./var/branchgate.db
JOBS	?= $(shell nproc)
FUZZ_SECONDS ?= 30

.PHONY: all deps build run test test-unit fuzz fuzz-run bench-ike bench-esp bench-tunnel bench-policy bench-bgp bench-scale clean

all: build

deps:
	@sh scripts/deps.sh

build: deps
	@cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBG_WERROR=ON >/dev/null
	@cmake --build build -j$(JOBS)

build-asan/CMakeCache.txt:
	@cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DBG_SANITIZE=ON -DBG_WERROR=ON >/dev/null

run: build
	@sh scripts/run.sh "$(API)" "$(DB)"

test: build build-asan/CMakeCache.txt
	@cmake --build build-asan -j$(JOBS)
	@$(MAKE) --no-print-directory fuzz-run
	@cd build-asan && ctest --output-on-failure -j1

fuzz: deps
	@CC=clang cmake -S . -B build-fuzz -DBG_FUZZ=ON -DBG_SANITIZE=ON >/dev/null
	@cmake --build build-fuzz -j$(JOBS)

# Each fuzz target runs FUZZ_SECONDS on a scratch copy of its seed corpus.
fuzz-run: fuzz
	@set -e; for f in build-fuzz/fuzz/fuzz_*; do \
	  n=$$(basename $$f); tmp=$$(mktemp -d); \
	  cp -r tests/fuzz/corpus/$$n/. $$tmp/ 2>/dev/null || true; \
	  echo "fuzz: $$n for $(FUZZ_SECONDS) s"; \
	  $$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 $$tmp 2>build-fuzz/$$n.log || \
	    { tail -40 build-fuzz/$$n.log; rm -rf $$tmp; exit 1; }; \
	  grep -E 'stat::number_of_executed_units' build-fuzz/$$n.log || true; \
	  rm -rf $$tmp; \
	done

# IKE setup rate next to the DH-only ceiling, both measured in this run on
# one core (taskset), so the ratio holds on a noisy machine.
bench-ike: build
	@echo "== DH only (OpenSSL key generation + derive), one core"
	@taskset -c 0 build/bench/bench_dh 3 19 14 31
	@echo "== IKE_SA + first CHILD_SA, one core"
	@taskset -c 0 build/bench/bench_ike

# One ESP worker (CPU 0) fed over loopback by a sealing sender (CPU 1),
# next to openssl speed for 1400-byte AES-GCM in the same run. Needs root.
bench-esp: build
	@build/bench/bench_esp 3

# One worker's flow table and classifier on one core (CPU 0), no I/O:
# packets/s with the baseline profile at the limits (1,000 rules, 8,000
# FQDNs) next to no policy in the same run, new flows classified per
# second, memory per flow (docs/policy.md "Flow table and actions").
# Then iperf3 through a strongSwan tunnel to an internet host, the full
# policy next to none in the same run (bench/bench_policy_tunnel.sh, root).
bench-policy: build
	@taskset -c 0 build/bench/bench_policy 5
	@bash bench/bench_policy_tunnel.sh build/bin

# BGP: ingest of 10k/100k prefixes into the Adj-RIB-In and the forwarding
# table, memory per route, the Microsoft 365 set to 1,000 sessions; each
# next to BIRD 2 fed the same bytes in a namespace (docs/bgp.md). Root.
bench-bgp: build
	@bash bench/bench_bgp.sh build/bench data

# iperf3 TCP 10 s through one tunnel in namespaces, in one run: strongSwan
# <-> strongSwan (reference), strongSwan <-> branchgated, branchgate CPE
# (--role cpe) <-> branchgated; prints the ratio CPE/strongSwan. Needs root.
# N simulated branches against one gateway node (bench/loadgen.sh, root):
# bring-up, memory, idle CPU, change and restart figures. N=1000 default.
bench-scale: build
	@bash bench/loadgen.sh $${N:-1000} build/bin

bench-tunnel: build
	@bash bench/bench_tunnel.sh build/bin

clean:
	rm -rf build build-asan build-fuzz
