# shellcheck shell=bash
# What bench/auth/run.sh and bench/auth/store.sh share: free ports, one wrk run measured in
# req/s, p99 and requests per server CPU-second, and the median [min-max] of the runs. The caller
# sets `here`, `tmp` (the raw results go to $tmp/raw), `dur` and `conns`; per run: SRV (the
# server's PIDs), C (connections), T (wrk threads), SCRIPT (wrk Lua script, default post.lua),
# DELAY_MS.

port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
b64() { printf '%s' "$1" | base64 -w0; }
wait_up() { for _ in $(seq 100); do curl -sf "$1" >/dev/null && return 0; sleep 0.1; done; return 1; }

# run NAME URL PATH BODY BASIC [extra wrk args...]: one wrk run against the server whose
# process ids are in SRV; appends "NAME req/s p99(ms) non2xx req/cpu-s load1" to $tmp/raw.
run() {
  local name=$1 url=$2 path=$3 body=$4 basic=$5
  shift 5
  local out t0 t1 l0
  l0=$(cut -d' ' -f1 /proc/loadavg)
  t0=$(ticks)
  out=$(PATH_TO=$path BODY=$body AUTH_B64=$(b64 "$basic") DELAY_MS=${DELAY_MS:-0} \
    timeout $((dur + 20)) wrk -t"${T:-$(( ${C:-$conns} < 2 ? 1 : 2 ))}" -c"${C:-$conns}" -d"${dur}s" --latency -s "${SCRIPT:-$here/post.lua}" "$url" "$@")
  t1=$(ticks)
  local rps p99 bad n cpu
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  # wrk prints 850.00us, 4.16ms or 1.02s; kept in ms.
  p99=$(awk '$1=="99%" {v=$2; f=1; if (v ~ /us$/) f=0.001; else if (v ~ /ms$/) f=1; else if (v ~ /s$/) f=1000;
    gsub(/[a-z]+$/, "", v); printf "%.2f", v*f}' <<<"$out")
  bad=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  n=$(awk '/requests in/ {print $1}' <<<"$out")
  # Requests per CPU-second of the server (all its processes and threads): the figure the
  # shared, noisy host does not distort much (other tenants steal wall time, not CPU time).
  cpu=$(awk -v n="$n" -v d="$((t1 - t0))" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf("%.0f", (d > 0) ? n / (d / hz) : 0)}')
  printf '%-22s %9s req/s  p99 %8s ms  non-2xx %-3s %7s req/cpu-s  load %s-%s\n' "$name" "$rps" "$p99" \
    "${bad:-0}" "$cpu" "$l0" "$(cut -d' ' -f1 /proc/loadavg)"
  echo "$name $rps $p99 ${bad:-0} $cpu" >>"$tmp/raw"
}
# Median and min-max of column COL (2 req/s, 3 p99 ms, 5 req/cpu-s) over the runs of NAME.
stat_of() {
  awk -v n="$1" -v c="$2" '$1==n {print $c}' "$tmp/raw" | sort -g |
    awk '{v[NR]=$1} END {if (!NR) exit; m=(NR%2)?v[(NR+1)/2]:(v[NR/2]+v[NR/2+1])/2; printf "%s %s %s\n", m, v[1], v[NR]}'
}
med() { stat_of "$1" "${2:-2}" | cut -d' ' -f1; }
# utime+stime (clock ticks) of the server under test: every process in SRV, all threads.
ticks() { local t=0 p; for p in $SRV; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done; echo $t; }


# The table of every recorded row (warm-up rows, named warm.*, left out): median [min-max] of
# req/s, p99 and requests per server CPU-second.
rows_table() {
  echo "| row | req/s | p99 ms | req per server CPU-s |"
  echo "|---|---|---|---|"
  local n
  for n in $(awk '$1 !~ /^warm/ {print $1}' "$tmp/raw" | awk '!seen[$1]++'); do
    printf '| %s | %s | %s | %s |\n' "$n" \
      "$(stat_of "$n" 2 | awk '{printf "%.0f [%.0f-%.0f]", $1, $2, $3}')" \
      "$(stat_of "$n" 3 | awk '{printf "%.2f [%.2f-%.2f]", $1, $2, $3}')" \
      "$(stat_of "$n" 5 | awk '{printf "%.0f [%.0f-%.0f]", $1, $2, $3}')"
  done
}
