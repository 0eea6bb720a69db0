#!/usr/bin/env bash
# The broker example end to end, for CI: installs redis-server if missing, starts it on
# a free loopback port (no persistence), runs `session-replay-broker run` (producer,
# two workers with a hand-off and a crash, check against the whole-stream scrub), and
# stops Redis whatever happens. Extra arguments go to `run` (e.g. --keyframes none).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v redis-server >/dev/null 2>&1; then
  echo "== installing redis-server"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get install -y redis-server >/dev/null 2>&1 ||
    { $sudo apt-get update >/dev/null && $sudo apt-get install -y redis-server >/dev/null; }
fi

# A free port: the first from 6390 that nothing answers on.
port=6390
while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
  port=$((port + 1))
  if [ "$port" -gt 6490 ]; then echo "no free port in 6390-6490" >&2; exit 1; fi
done

dir=$(mktemp -d)
redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
  --dir "$dir" --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log"
stop_redis() {
  redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || kill "$(cat "$dir/redis.pid" 2>/dev/null)" 2>/dev/null || true
  rm -rf "$dir"
}
trap stop_redis EXIT
for _ in $(seq 50); do
  redis-cli -p "$port" ping >/dev/null 2>&1 && break
  sleep 0.1
done

echo "== broker: unit tests"
cargo test -p session-replay-broker 2>&1 | grep -E '^test result|FAILED|panicked'

echo "== broker: end to end on redis-server 127.0.0.1:$port"
cargo build --release -p session-replay-broker 2>&1 | tail -n 1
./target/release/session-replay-broker run --redis "redis://127.0.0.1:$port/" "$@"
