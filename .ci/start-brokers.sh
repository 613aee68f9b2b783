#!/usr/bin/env bash
# Makes sure the message brokers the destination tests publish to answer on
# loopback: Redis 6379, RabbitMQ 5672, NATS with JetStream 4222, Mosquitto
# 1883. One already up is left alone; one installed but stopped is started
# with its usual command and waited for. In CI (CI=true) a broker that does
# not come up fails the run; elsewhere it is reported and the tests that
# need it fail, saying which address they could not reach.
set -euo pipefail

up() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for() {
  local name="$1" port="$2"
  for _ in $(seq 1 120); do
    if up "$port"; then echo "$name is up on 127.0.0.1:$port"; return 0; fi
    sleep 0.5
  done
  echo "$name did not come up on 127.0.0.1:$port within 60 s" >&2
  [ "${CI:-}" = "true" ] && exit 1
  return 0
}

start() {
  local name="$1" port="$2" binary="$3"
  shift 3
  if up "$port"; then echo "$name is up on 127.0.0.1:$port"; return 0; fi
  if ! command -v "$binary" >/dev/null 2>&1; then
    echo "$name is not installed ($binary not found) and nothing answers on 127.0.0.1:$port" >&2
    [ "${CI:-}" = "true" ] && exit 1
    return 0
  fi
  echo "starting $name"
  "$@" || true
  wait_for "$name" "$port"
}

start Redis 6379 redis-server \
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
start RabbitMQ 5672 rabbitmq-server rabbitmq-server -detached
start Mosquitto 1883 mosquitto mosquitto -d -c /etc/mosquitto/mosquitto.conf
start NATS 4222 nats-server \
  start-stop-daemon --start --oknodo --background --exec "$(command -v nats-server || echo /usr/sbin/nats-server)" \
  -- -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log
