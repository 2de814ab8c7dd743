#!/usr/bin/env bash
# Load held by the relay, beside a yardstick: wrk on loopback (32
# connections) asks for a page of numbers through numbers-gateway --sandbox
# and, in the same run, through Debian's nginx proxy_pass to the same
# in-process sandbox, as nginx does it by default (a new connection to the
# upstream a request) and tuned (kept-alive upstream connections); each
# without and with compression (the relay's brotli, nginx's gzip). Prints
# requests/s of each, the median of a few runs taking turns.
#   bash scripts/bench-load.sh [path/to/numbers-gateway]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
DURATION="${BENCH_SECONDS:-10}"
if ! command -v wrk >/dev/null || ! command -v nginx >/dev/null; then
  echo "bench-load: installing Debian's wrk and nginx-light"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq wrk nginx-light >/dev/null
fi
GATEWAY="${1:-}"
if [ -z "$GATEWAY" ]; then
  cargo build --quiet --profile server -p numbers-gateway --features sandbox --locked
  GATEWAY="$ROOT/target/server/numbers-gateway"
fi
GATEWAY="$(realpath "$GATEWAY")"

WORK="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
GW_PORT="$(free_port)"
NGINX_PORT="$(free_port)"
PLAIN_PORT="$(free_port)"
mkdir -p "$WORK/dist"
echo '<!DOCTYPE html><title>bench</title>' > "$WORK/dist/index.html"
(cd "$WORK" && RUST_LOG=warn "$GATEWAY" --sandbox --listen "127.0.0.1:$GW_PORT" --dist "$WORK/dist" >"$WORK/gateway.out" 2>"$WORK/gateway.err") &
pids+=($!)
for _ in $(seq 100); do
  grep -q "relays ocp *sandbox" "$WORK/gateway.out" 2>/dev/null && break
  sleep 0.1
done
SANDBOX="$(grep -o 'relays ocp *sandbox *-> http://127.0.0.1:[0-9]*' "$WORK/gateway.out" | grep -o '127.0.0.1:[0-9]*')"
[ -n "$SANDBOX" ] || { echo "bench-load: the gateway did not start"; cat "$WORK/gateway.err"; exit 1; }

cat > "$WORK/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $WORK/body;
  proxy_temp_path $WORK/proxy;
  upstream sandbox { server $SANDBOX; keepalive 64; }
  server {
    listen 127.0.0.1:$PLAIN_PORT;
    gzip on;
    gzip_types application/json;
    location / { proxy_pass http://$SANDBOX; }
  }
  server {
    listen 127.0.0.1:$NGINX_PORT;
    gzip on;
    gzip_types application/json;
    location / {
      proxy_pass http://sandbox;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
EOF
nginx -c "$WORK/nginx.conf" -p "$WORK" &
pids+=($!)
sleep 0.5

PAGE="api/numbers?page=1&pageSize=50"
ROUNDS="${BENCH_ROUNDS:-3}"
rate() { # url, extra wrk args...
  local url="$1"; shift
  wrk -t2 -c32 -d"${DURATION}s" -H 'Authorization: Bearer sandbox-owner' "$@" "$url" \
    | awk '/Requests\/sec/ {print $2}'
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
GW="http://127.0.0.1:$GW_PORT/relay/ocp/sandbox/$PAGE"
NG="http://127.0.0.1:$NGINX_PORT/integrations/$PAGE"
PL="http://127.0.0.1:$PLAIN_PORT/integrations/$PAGE"
# A short warm-up of each.
for url in "$GW" "$NG" "$PL"; do rate "$url" -d2s >/dev/null; done
# The machine is shared: each figure is the median of $ROUNDS runs, the
# cases taking turns.
declare -A runs
cases=("gw identity" "plain identity" "nginx identity" "gw br" "gw gzip" "plain gzip" "nginx gzip")
for _ in $(seq "$ROUNDS"); do
  runs["gw identity"]+="$(rate "$GW") "
  runs["plain identity"]+="$(rate "$PL") "
  runs["nginx identity"]+="$(rate "$NG") "
  runs["gw br"]+="$(rate "$GW" -H 'Accept-Encoding: br') "
  runs["gw gzip"]+="$(rate "$GW" -H 'Accept-Encoding: gzip') "
  runs["plain gzip"]+="$(rate "$PL" -H 'Accept-Encoding: gzip') "
  runs["nginx gzip"]+="$(rate "$NG" -H 'Accept-Encoding: gzip') "
done
label() {
  case "$1" in
    "gw identity") echo "numbers-gateway, identity" ;;
    "plain identity") echo "nginx proxy_pass (default), identity" ;;
    "nginx identity") echo "nginx proxy_pass (keep-alive), identity" ;;
    "gw br") echo "numbers-gateway, brotli" ;;
    "gw gzip") echo "numbers-gateway, gzip" ;;
    "plain gzip") echo "nginx proxy_pass (default), gzip level 1" ;;
    "nginx gzip") echo "nginx proxy_pass (keep-alive), gzip level 1" ;;
  esac
}
printf '%-46s %12s   %s\n' "a page of 50 numbers, wrk -t2 -c32 ${DURATION}s" "requests/s" "(runs)"
for c in "${cases[@]}"; do
  printf '%-46s %12s   (%s)\n' "$(label "$c")" "$(echo ${runs[$c]} | tr ' ' '\n' | median)" "${runs[$c]% }"
done
