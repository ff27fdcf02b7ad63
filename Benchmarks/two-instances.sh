#!/bin/bash
# Issue 18's figure "Ma page req/s through one instance and through two behind nginx, memory per
# instance": two `kiosque serve --no-fetch` on the PostgreSQL database a `StoreBench --postgres --keep`
# built, nginx in front of them (its own configuration in a temporary folder, nothing under /etc),
# agents signed in through nginx with the password form, then wrk on Ma page through nginx and
# through one instance directly. Prints req/s and latencies, each instance's memory (VmRSS, VmHWM),
# nginx's and the PostgreSQL server's. Stops everything it started and removes its folder.
#
#   StoreBench --postgres --keep --env-file /tmp/kiosque-bench-pg.env      (once: builds the portal)
#   Benchmarks/two-instances.sh --env-file /tmp/kiosque-bench-pg.env [--kiosque .build/release/kiosque]
#                               [--agents 20] [--seconds 20] [--connections 64]
#
# The env file (written by StoreBench) gives KIOSQUE_BENCH_URL, KIOSQUE_DB_PASSWORD, KIOSQUE_BENCH_CATALOG
# (the portal's sources, channels and bouquets, so that the instances' catalogue sync changes nothing)
# and, for a server StoreBench started, KIOSQUE_BENCH_PGPID. WEBBENCH_C sets the connections as for WebBench.
set -euo pipefail

kiosque=.build/release/kiosque
env_file=""
agents=20
seconds=20
connections=${WEBBENCH_C:-64}
while [ $# -gt 0 ]; do
  case "$1" in
    --env-file) env_file=$2; shift ;;
    --kiosque) kiosque=$2; shift ;;
    --agents) agents=$2; shift ;;
    --seconds) seconds=$2; shift ;;
    --connections) connections=$2; shift ;;
    *) echo "two-instances: unknown option $1" >&2; exit 1 ;;
  esac
  shift
done
if [ -n "$env_file" ]; then set -a; . "$env_file"; set +a; fi
: "${KIOSQUE_BENCH_URL:?give --env-file (written by StoreBench --postgres --keep) or set KIOSQUE_BENCH_URL}"
: "${KIOSQUE_BENCH_CATALOG:?KIOSQUE_BENCH_CATALOG: the catalogue StoreBench wrote}"
: "${KIOSQUE_DB_PASSWORD:?KIOSQUE_DB_PASSWORD: the database password}"
export KIOSQUE_DB_PASSWORD
for tool in "$kiosque" /usr/sbin/nginx /usr/bin/wrk /usr/bin/curl /usr/bin/python3; do
  [ -x "$tool" ] || { echo "two-instances: $tool is missing (make deps-test; swift build -c release --product kiosque)" >&2; exit 1; }
done

work=$(mktemp -d /tmp/kiosque-two-XXXXXX)
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port_a=$(free_port); port_b=$(free_port); port_nginx=$(free_port)
while [ "$port_b" = "$port_a" ]; do port_b=$(free_port); done
while [ "$port_nginx" = "$port_a" ] || [ "$port_nginx" = "$port_b" ]; do port_nginx=$(free_port); done

# The portal: the benchmark's catalogue on the PostgreSQL database, nginx as the trusted proxy, nothing
# deleted by retention (the corpus spans a year), no fetching (--no-fetch: the sources do not exist).
cat > "$work/channels.yml" <<EOF
portal: { title: "Intranet (deux instances, banc d'essai)", base_url: "http://127.0.0.1:$port_nginx" }
storage: { url: "$KIOSQUE_BENCH_URL", password_env: KIOSQUE_DB_PASSWORD, pool: 20 }
auth: { trusted_proxies: [127.0.0.1] }
retention: { days: 36500, max_items_per_source: 10000000 }
EOF
cat "$KIOSQUE_BENCH_CATALOG" >> "$work/channels.yml"
export KIOSQUE_CONFIG="$work/channels.yml" KIOSQUE_DATA_DIR="$work/data"

# Starts `kiosque serve` NAME PORT with its own cache folder (its pid in $started); waits for /healthz.
start_instance() {
  local name=$1 port=$2
  "$kiosque" serve --no-fetch --port "$port" --cache-dir "$work/cache-$name" > "$work/$name.log" 2>&1 &
  started=$!
  pids+=("$started")
  for _ in $(seq 600); do
    if curl -sf -o /dev/null "http://127.0.0.1:$port/healthz"; then return 0; fi
    kill -0 "$started" 2>/dev/null || break
    sleep 0.2
  done
  echo "two-instances: kiosque serve $name did not start:" >&2
  tail -20 "$work/$name.log" >&2
  exit 1
}
# One after the other: the first creates the portal key in the shared data folder.
start_instance a "$port_a"; pid_a=$started
start_instance b "$port_b"; pid_b=$started

mkdir -p "$work/nginx"
cat > "$work/nginx.conf" <<EOF
worker_processes auto;
daemon off;
user root;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $work/nginx/body;
    proxy_temp_path $work/nginx/proxy;
    fastcgi_temp_path $work/nginx/fastcgi;
    uwsgi_temp_path $work/nginx/uwsgi;
    scgi_temp_path $work/nginx/scgi;
    upstream kiosque {
        server 127.0.0.1:$port_a max_fails=2 fail_timeout=10s;
        server 127.0.0.1:$port_b max_fails=2 fail_timeout=10s;
        keepalive 32;
    }
    server {
        listen 127.0.0.1:$port_nginx;
        client_max_body_size 60m;
        location / {
            proxy_pass http://kiosque;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host \$host;
            proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto \$scheme;
            proxy_next_upstream error timeout http_502 http_503;
        }
    }
}
EOF
/usr/sbin/nginx -e "$work/nginx/error.log" -p "$work/nginx/" -c "$work/nginx.conf" &
pid_nginx=$!
pids+=("$pid_nginx")
nginx_base="http://127.0.0.1:$port_nginx"
for _ in $(seq 100); do curl -sf -o /dev/null "$nginx_base/healthz" && break; sleep 0.1; done
curl -sf -o /dev/null "$nginx_base/healthz" || { echo "two-instances: nginx did not start:" >&2; cat "$work/nginx/error.log" >&2; exit 1; }

# Agents agent0… sign in through nginx with the password form (a password set with `kiosque user passwd`).
password="banc-d-essai-$(date +%s)"
cookies=()
for i in $(seq 0 $((agents - 1))); do
  printf '%s\n' "$password" | "$kiosque" user passwd "agent$i" --password-stdin > /dev/null 2>> "$work/passwd.log" || break
  jar="$work/jar-$i"
  csrf=$(curl -s -c "$jar" -b "$jar" "$nginx_base/connexion" | grep -o 'name="_csrf" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//')
  status=$(curl -s -o /dev/null -w '%{http_code}' -c "$jar" -b "$jar" --data-urlencode "_csrf=$csrf" \
    --data-urlencode "login=agent$i" --data-urlencode "password=$password" --data-urlencode "retour=/" "$nginx_base/connexion")
  session=$(awk '$6 == "kiosque_session" { print $7 }' "$jar")
  if [ "$status" != 303 ] || [ -z "$session" ]; then echo "two-instances: agent$i could not sign in (HTTP $status)" >&2; exit 1; fi
  cookies+=("kiosque_session=$session")
done
[ ${#cookies[@]} -gt 0 ] || { echo "two-instances: no agent signed in (an agent0 in the database?):" >&2; cat "$work/passwd.log" >&2; exit 1; }
# A session opened through nginx serves Ma page through either instance.
for port in "$port_a" "$port_b"; do
  status=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: ${cookies[0]}" "http://127.0.0.1:$port/")
  [ "$status" = 200 ] || { echo "two-instances: Ma page through 127.0.0.1:$port answered $status" >&2; exit 1; }
done

{
  printf 'local cookies = {'; printf '"%s",' "${cookies[@]}"; printf '}\n'
  cat <<'EOF'
local counter = 0
request = function()
  counter = counter + 1
  -- What a browser sends: its session cookie, and the encodings it accepts.
  local headers = { ["Cookie"] = cookies[(counter % #cookies) + 1], ["Accept-Encoding"] = "gzip, deflate, br" }
  return wrk.format("GET", "/", headers)
end
EOF
} > "$work/home.lua"

figure() { grep -m1 -E "^ *$1" "$2" | sed 's/^ *//' || echo "$1 (none)"; }
run_wrk() {
  local label=$1 base=$2 duration=$3 report="$work/wrk.txt"
  wrk -t"$(( connections < 2 ? connections : 2 ))" -c"$connections" -d"${duration}s" --latency -s "$work/home.lua" "$base/" > "$report"
  echo "$label, $connections connections, $duration s: $(figure 'Requests/sec:' "$report"); latency $(figure '50%' "$report"), $(figure '90%' "$report"), $(figure '99%' "$report"); $(figure 'Non-2xx or 3xx responses:' "$report"); $(figure 'Socket errors:' "$report")"
}
memory() {  # NAME PID: VmRSS and VmHWM of one process
  local rss hwm
  rss=$(awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$2/status" 2>/dev/null || echo "?")
  hwm=$(awk '/^VmHWM:/ { printf "%.1f", $2 / 1024 }' "/proc/$2/status" 2>/dev/null || echo "?")
  echo "$1 (pid $2): VmRSS $rss MB, peak VmHWM $hwm MB"
}
tree_pss() {  # PID: PSS in MB summed over the process and its descendants, and how many
  local all=($1) i=0 kb=0 pid children
  while [ $i -lt ${#all[@]} ]; do
    pid=${all[$i]}; i=$((i + 1))
    children=$(cat /proc/"$pid"/task/*/children 2>/dev/null || true)
    all+=($children)
    kb=$((kb + $(awk '/^Pss:/ { print $2 }' "/proc/$pid/smaps_rollup" 2>/dev/null || echo 0)))
  done
  echo "$((kb / 1024)) MB (PSS summed over its ${#all[@]} processes)"
}

echo "two-instances: ${#cookies[@]} agents signed in through nginx on $nginx_base; instances on :$port_a (pid $pid_a) and :$port_b (pid $pid_b); database $KIOSQUE_BENCH_URL"
echo "(kiosque: $kiosque; nginx $(/usr/sbin/nginx -v 2>&1 | sed 's/.*nginx\///'))"
# Every agent's Ma page rendered and kept on both instances first (the steady state between two cycles).
run_wrk "warm-up through nginx (not a figure)" "$nginx_base" 5 > /dev/null
run_wrk "GET / (Ma page) through nginx, two instances" "$nginx_base" "$seconds"
run_wrk "GET / (Ma page) through one instance directly" "http://127.0.0.1:$port_a" "$seconds"
memory "instance a" "$pid_a"
memory "instance b" "$pid_b"
echo "nginx: $(tree_pss "$pid_nginx")"
if [ -n "${KIOSQUE_BENCH_PGPID:-}" ] && kill -0 "$KIOSQUE_BENCH_PGPID" 2>/dev/null; then
  echo "PostgreSQL server: $(tree_pss "$KIOSQUE_BENCH_PGPID")"
else
  echo "PostgreSQL server memory: not measured (no KIOSQUE_BENCH_PGPID: a server StoreBench did not start)"
fi
