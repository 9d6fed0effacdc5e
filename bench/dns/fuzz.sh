#!/usr/bin/env bash
# Fuzzes the embedded DNS server's query parser and responder (bench/dns/dns_query_fuzz.cc)
# with libFuzzer for SECONDS (default 180) of CPU on one core. The codec files are built
# with clang's fuzzer, address and undefined-behaviour sanitizers; the rest of steer_dns comes
# from an existing build tree (BUILD, default build). Exit status non-zero on any finding.
# Usage: bench/dns/fuzz.sh [SECONDS] [BUILD]
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-180}
build=${2:-build}
out=$(mktemp -d /tmp/steer-fuzz-XXXXXX)
flags=(-std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
       -Idns -Idns/include -Iconfig/include -Ibase/include)
clang++ "${flags[@]}" bench/dns/dns_query_fuzz.cc dns/dns_wire.cc dns/auth_answer.cc \
  dns/auth_zone.cc "$build/dns/libsteer_dns.a" "$build/config/libsteer_config.a" \
  "$build/base/libsteer_base.a" -lldns -lfmt -lspdlog -o "$out/fuzz"
mkdir -p "$out/corpus"
"$out/fuzz" -max_total_time="$seconds" -max_len=1500 -print_final_stats=1 "$out/corpus"
echo "fuzz: no finding in ${seconds}s; corpus in $out/corpus"
