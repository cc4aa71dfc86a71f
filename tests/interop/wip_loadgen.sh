#!/bin/bash
# wip_loadgen.sh - the load generator's smoke run (issue 12 §3): 200
# simulated branches (bench/bench_loadgen: the project's IKEv2 initiator and
# ESP, one process, one public address each on one veth) against one
# branchgated gateway node, 5 tenants of 40 links created through the API.
# Passes only if every tunnel comes up (the loadgen's count), every BGP
# session (BIRD, one protocol per branch, through the loadgen's TUN)
# reaches Established at the gateway (branchgate_link_bgp_established on
# all 200 links), and every tunnel carries traffic both ways: the
# loadgen's pings to each gateway BGP address are answered on all 200, and
# the gateway's per-link ESP in and out packet counters are non-zero on all
# 200. Bounded polls, no timed assertion; the script's trap removes the
# namespaces and processes. Exit 77 (skip) without root, BIRD or curl.
set -u
SRC=${BG_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BG_BINDIR:-$SRC/build}
LG_API_PORT=${LG_API_PORT:-18142} exec bash "$SRC/bench/loadgen.sh" --check "${LOADGEN_N:-200}" "$BUILD/bin"
