#!/usr/bin/env bash
# Run a real Apache Kafka 4.x broker locally (KRaft, one combined broker+controller) for tests
# and CI. No Docker and no tarball: the jars come from Maven Central through pom.xml next to this
# script and are cached outside the repo. See README.md in this folder.
#
#   kafka.sh up        resolve jars (cached), fresh data dir, format, start, wait until it answers
#   kafka.sh down      stop exactly the pid in the pid file (TERM, then KILL after 20 s), remove data dir
#   kafka.sh stop      stop the broker like down, but keep the data dir (for a later start)
#   kafka.sh start     start the broker again on the data dir an earlier up made, wait until it answers
#   kafka.sh status    running or not, pid, port (exit 0 running, 3 not running)
#   kafka.sh logs [-f] last lines of the broker log (or follow it)
#   kafka.sh env       print the export line for the test suite
#   kafka.sh smoke     create a topic, produce and consume 2 records, delete the topic
#   kafka.sh run-class CLASS [ARGS...]   run a Kafka CLI class on the cached classpath
#
# `up` prints human-readable lines on stderr and only the export line on stdout, so
#   eval "$(deploy/kafka-local/kafka.sh up)"
# starts the broker and sets ENGAGEHUB_TEST_KAFKA_BROKERS in the calling shell.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
POM="$HERE/pom.xml"
KAFKA_VERSION="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$POM" | head -n1)"

CACHE="${KAFKA_LOCAL_CACHE:-${HOME:-/tmp}/.cache/engagehub/kafka-${KAFKA_VERSION}}"
LIB="$CACHE/lib"
MARKER="$LIB/.engagehub-resolved"
DIR="${KAFKA_LOCAL_DIR:-/tmp/engagehub-kafka}"
HOST=127.0.0.1
PORT="${KAFKA_LOCAL_PORT:-19092}"
CPORT="${KAFKA_LOCAL_CONTROLLER_PORT:-$((PORT + 1))}"
TIMEOUT="${KAFKA_LOCAL_TIMEOUT:-90}"
HEAP_OPTS="${KAFKA_LOCAL_HEAP_OPTS:--Xms256m -Xmx1g}"
STOP_TIMEOUT=20

PIDFILE="$DIR/kafka.pid"
LOG="$DIR/kafka.log"        # log4j2 (INFO), see log4j2.properties
OUT="$DIR/kafka.out"        # the JVM's own stdout/stderr (crashes, fatal start-up errors)
PROPS="$DIR/server.properties"
BROKERS="$HOST:$PORT"

say() { printf 'kafka-local: %s\n' "$*" >&2; }
die() { printf 'kafka-local: ERROR: %s\n' "$*" >&2; exit 1; }

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

java_bin() {
  if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
    echo "$JAVA_HOME/bin/java"
  elif command -v java >/dev/null 2>&1; then
    command -v java
  else
    die "java not found (Kafka $KAFKA_VERSION needs Java 17+ on PATH or in JAVA_HOME)"
  fi
}

# Guard every rm -rf of the data dir.
check_dir() {
  [[ "$DIR" == /* ]] || die "KAFKA_LOCAL_DIR must be an absolute path (got '$DIR')"
  case "${DIR%/}" in
    "" | / | /tmp | /home | /root | /usr | /var | /etc | "${HOME:-/nonexistent}" | "$CACHE")
      die "refusing to use '$DIR' as the Kafka data dir" ;;
  esac
}

# ---------------------------------------------------------------- jars
resolve() {
  local want
  want="$(sha256sum "$POM" | cut -d' ' -f1)"
  if [[ -f "$MARKER" && "$(cat "$MARKER")" == "$want" ]]; then
    say "jars: cached in $LIB"
    return 0
  fi
  command -v mvn >/dev/null 2>&1 || die "mvn not found: needed once to fetch the Kafka jars into $LIB"
  mkdir -p "$CACHE"
  local lock="$CACHE/.lock"
  exec 9>"$lock"
  if command -v flock >/dev/null 2>&1; then flock 9; fi
  # Another process may have finished while we waited for the lock.
  if [[ -f "$MARKER" && "$(cat "$MARKER")" == "$want" ]]; then
    say "jars: cached in $LIB"
    exec 9>&-
    return 0
  fi
  local t0 tmp
  t0="$(now)"
  tmp="$CACHE/lib.tmp.$$"
  rm -rf "$tmp"
  say "jars: resolving org.apache.kafka:kafka_2.13:$KAFKA_VERSION from Maven Central into $LIB ..."
  # (sed drops the bare colour-reset codes Maven 3.8 prints even with -q and style.color=never)
  if ! mvn -q -B -Dstyle.color=never -f "$POM" dependency:copy-dependencies \
      -DincludeScope=runtime -DoutputDirectory="$tmp" </dev/null 2>&1 | sed 's/\x1b\[0m//g; /^$/d' >&2; then
    rm -rf "$tmp"
    die "mvn dependency:copy-dependencies failed (see the Maven output above)"
  fi
  compgen -G "$tmp/kafka_2.13-$KAFKA_VERSION.jar" >/dev/null || { rm -rf "$tmp"; die "mvn ran but kafka_2.13-$KAFKA_VERSION.jar is missing in $tmp"; }
  echo "$want" >"$tmp/.engagehub-resolved"
  rm -rf "$LIB"
  mv "$tmp" "$LIB"
  exec 9>&-
  say "jars: $(ls "$LIB"/*.jar | wc -l) jars, $(du -sh "$LIB" | cut -f1), in $(elapsed "$t0") s"
}

# Run a Kafka CLI class (storage format, TopicCommand, console clients) on the cached classpath.
run_class() {
  [[ -f "$MARKER" ]] || resolve
  "$(java_bin)" -Xms32m -Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$HERE/log4j2-tools.properties" \
    -cp "$LIB/*" "$@"
}

# ---------------------------------------------------------------- process
pid_of() {
  [[ -f "$PIDFILE" ]] || return 1
  local pid
  pid="$(tr -dc '0-9' <"$PIDFILE")"
  [[ -n "$pid" ]] || return 1
  echo "$pid"
}

# True when the pid in the pid file is alive AND is our broker (guards against pid reuse).
is_running() {
  local pid args
  pid="$(pid_of)" || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  args="$(ps -o args= -p "$pid" 2>/dev/null || true)"
  [[ "$args" == *kafka.Kafka* && "$args" == *"$PROPS"* ]]
}

# TERM exactly this pid, wait up to STOP_TIMEOUT s, then KILL. Never by process name.
stop_pid() {
  local pid="$1" i
  say "stopping broker pid $pid (TERM, up to ${STOP_TIMEOUT}s) ..."
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < STOP_TIMEOUT * 5; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    say "still alive after ${STOP_TIMEOUT}s: KILL $pid"
    kill -KILL "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  if kill -0 "$pid" 2>/dev/null; then die "pid $pid survived KILL"; fi
}

port_busy() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

kafka_version() {
  local v=""
  [[ -f "$LOG" ]] && v="$(sed -n 's/.*Kafka version: \([^ ]*\).*/\1/p' "$LOG" | head -n1)"
  if [[ -z "$v" ]]; then
    local jar
    jar="$(ls "$LIB"/kafka_2.13-*.jar 2>/dev/null | head -n1 || true)"
    v="$(basename "${jar:-kafka_2.13-$KAFKA_VERSION.jar}" .jar)"; v="${v#kafka_2.13-}"
  fi
  echo "$v"
}

show_failure_logs() {
  if [[ -s "$LOG" ]]; then
    say "last 30 lines of $LOG:"; tail -n 30 "$LOG" >&2
  fi
  if [[ -s "$OUT" ]]; then
    say "last 30 lines of $OUT:"; tail -n 30 "$OUT" >&2
  fi
}

random_cluster_id() {
  # Same shape as `kafka-storage random-uuid`: 16 random bytes, URL-safe base64, no padding,
  # never starting with '-'.
  local id
  while :; do
    id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
    [[ "$id" != -* && "$id" != AAAAAAAAAAAAAAAAAAAAA? ]] && break
  done
  echo "$id"
}

write_props() {
  cat >"$PROPS" <<EOF
# Generated by deploy/kafka-local/kafka.sh — one combined KRaft broker+controller for tests.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$HOST:$CPORT
listeners=PLAINTEXT://$HOST:$PORT,CONTROLLER://$HOST:$CPORT
advertised.listeners=PLAINTEXT://$HOST:$PORT
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$DIR/data

# Single node: every internal topic at replication factor 1.
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
# Fewer internal partitions than the default 50: quicker first consumer-group join on 2 cores.
offsets.topic.num.partitions=6
transaction.state.log.num.partitions=6
share.coordinator.state.topic.num.partitions=6

# Test behaviour.
num.partitions=6
auto.create.topics.enable=false
delete.topic.enable=true
group.initial.rebalance.delay.ms=0

# Sized for a 2-core machine.
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
background.threads=4
EOF
  if [[ -n "${KAFKA_LOCAL_SERVER_PROPS:-}" ]]; then
    printf '\n# From KAFKA_LOCAL_SERVER_PROPS (later keys win).\n%s\n' "$KAFKA_LOCAL_SERVER_PROPS" >>"$PROPS"
  fi
}

# ---------------------------------------------------------------- commands
cmd_up() {
  local t_all
  t_all="$(now)"
  check_dir
  if is_running; then
    say "already running: pid $(pid_of), $BROKERS, log $LOG"
    echo "export ENGAGEHUB_TEST_KAFKA_BROKERS=$BROKERS"
    return 0
  fi
  port_busy "$PORT" && die "port $PORT is already in use by another process (set KAFKA_LOCAL_PORT)"
  port_busy "$CPORT" && die "controller port $CPORT is already in use (set KAFKA_LOCAL_CONTROLLER_PORT)"

  local java; java="$(java_bin)"
  local jv; jv="$("$java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
  [[ "${jv%%.*}" -ge 17 ]] 2>/dev/null || die "Kafka $KAFKA_VERSION needs Java 17+, $java is '$jv'"

  resolve

  rm -rf "$DIR"
  mkdir -p "$DIR/data"
  write_props

  local cid; cid="$(random_cluster_id)"
  if ! run_class kafka.tools.StorageTool format --config "$PROPS" --cluster-id "$cid" >"$DIR/format.log" 2>&1; then
    cat "$DIR/format.log" >&2
    die "storage format failed"
  fi

  launch
  say "the whole 'up' took $(elapsed "$t_all") s"
}

# Start kafka.Kafka on $PROPS in the background and wait until it answers;
# on failure stop it and die with its logs.
launch() {
  local java t_start pid
  java="$(java_bin)"
  # A fresh log, so the wait below reads this start's "Kafka Server started" (a start after a
  # stop keeps the previous one as kafka.log.prev).
  if [[ -f "$LOG" ]]; then mv -f "$LOG" "$LOG.prev"; fi
  t_start="$(now)"
  # nohup + exec: $! is the JVM's own pid. No job control in a script, so it outlives us.
  # shellcheck disable=SC2086
  nohup "$java" $HEAP_OPTS -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExitOnOutOfMemoryError \
    -Djava.awt.headless=true \
    -Dkafka.logs.dir="$DIR" \
    -Dlog4j2.configurationFile="$HERE/log4j2.properties" \
    -cp "$LIB/*" kafka.Kafka "$PROPS" >"$OUT" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$PIDFILE"

  # Ready = the JVM is alive, the log says the server started, the port accepts, and a real
  # metadata request (TopicCommand --list through the Admin client) succeeds.
  local deadline=$((SECONDS + TIMEOUT)) ok=""
  while ((SECONDS < deadline)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      show_failure_logs
      rm -f "$PIDFILE"
      die "broker process $pid exited during start-up"
    fi
    if grep -q "Kafka Server started" "$LOG" 2>/dev/null && port_busy "$PORT"; then
      if run_class org.apache.kafka.tools.TopicCommand --bootstrap-server "$BROKERS" --list \
          >/dev/null 2>"$DIR/probe.err"; then
        ok=1; break
      fi
    fi
    sleep 0.5
  done
  if [[ -z "$ok" ]]; then
    show_failure_logs
    [[ -s "$DIR/probe.err" ]] && { say "last probe error:"; tail -n 5 "$DIR/probe.err" >&2; }
    stop_pid "$pid"
    rm -f "$PIDFILE"
    die "broker did not answer a metadata request on $BROKERS within ${TIMEOUT}s; stopped it, logs kept in $DIR"
  fi
  rm -f "$DIR/probe.err"

  say "Kafka $(kafka_version) (KRaft, broker+controller, node 1) ready on $BROKERS"
  say "start-up: $(elapsed "$t_start") s to first metadata answer"
  say "pid $pid (pid file $PIDFILE), log $LOG"
  echo "export ENGAGEHUB_TEST_KAFKA_BROKERS=$BROKERS"
}

cmd_stop() {
  check_dir
  local pid
  if is_running; then
    pid="$(pid_of)"
    stop_pid "$pid"
    rm -f "$PIDFILE"
    say "stopped; data kept in $DIR ('$0 start' resumes on it)"
  else
    say "no broker running"
  fi
}

cmd_start() {
  check_dir
  if is_running; then
    say "already running: pid $(pid_of), $BROKERS, log $LOG"
    echo "export ENGAGEHUB_TEST_KAFKA_BROKERS=$BROKERS"
    return 0
  fi
  [[ -f "$PROPS" && -d "$DIR/data" ]] || die "no formatted data dir in $DIR (run '$0 up' first)"
  port_busy "$PORT" && die "port $PORT is already in use by another process"
  launch
}

cmd_down() {
  check_dir
  local pid
  if pid="$(pid_of)" && kill -0 "$pid" 2>/dev/null; then
    if ! is_running; then
      say "pid $pid from $PIDFILE is not this broker (pid reused?); not killing it"
    else
      stop_pid "$pid"
      say "stopped"
    fi
  else
    say "no broker running${pid:+ (stale pid $pid)}"
  fi
  if [[ -d "$DIR" ]]; then
    if [[ "${KAFKA_LOCAL_KEEP_DIR:-}" == 1 ]]; then
      rm -f "$PIDFILE"
      say "kept $DIR (KAFKA_LOCAL_KEEP_DIR=1)"
    else
      rm -rf "$DIR"
      say "removed $DIR"
    fi
  fi
}

cmd_status() {
  if is_running; then
    echo "running: pid $(pid_of), brokers $BROKERS (controller $HOST:$CPORT), Kafka $(kafka_version), log $LOG"
    return 0
  fi
  echo "not running (pid file $PIDFILE${DIR:+, data dir $DIR}); port $PORT"
  return 3
}

cmd_logs() {
  [[ -f "$LOG" ]] || die "no log at $LOG"
  if [[ "${1:-}" == -f ]]; then exec tail -n 50 -F "$LOG"; fi
  tail -n "${1:-100}" "$LOG"
}

cmd_smoke() {
  is_running || die "broker not running (run '$0 up' first)"
  local topic="engagehub-kafka-local-smoke-$$" got
  run_class org.apache.kafka.tools.TopicCommand --bootstrap-server "$BROKERS" --create \
    --topic "$topic" --partitions 3 --replication-factor 1 >&2
  run_class org.apache.kafka.tools.TopicCommand --bootstrap-server "$BROKERS" --describe --topic "$topic" >&2
  printf 'k1:hello\nk2:world\n' | run_class org.apache.kafka.tools.ConsoleProducer \
    --bootstrap-server "$BROKERS" --topic "$topic" \
    --reader-property parse.key=true --reader-property key.separator=: \
    --command-property acks=all >&2
  got="$(run_class org.apache.kafka.tools.consumer.ConsoleConsumer --bootstrap-server "$BROKERS" \
    --topic "$topic" --from-beginning --max-messages 2 --timeout-ms 30000 \
    --formatter-property print.key=true --formatter-property key.separator=: 2>/dev/null | sort)"
  run_class org.apache.kafka.tools.TopicCommand --bootstrap-server "$BROKERS" --delete --topic "$topic" >&2
  if [[ "$got" != $'k1:hello\nk2:world' ]]; then
    die "smoke: expected k1:hello and k2:world, consumed: $(printf '%q' "$got")"
  fi
  say "smoke: produced and consumed 2 records on $topic (3 partitions), topic deleted: OK"
}

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
  exit 2
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  stop) cmd_stop ;;
  start) cmd_start ;;
  status) cmd_status ;;
  logs) shift; cmd_logs "$@" ;;
  env) echo "export ENGAGEHUB_TEST_KAFKA_BROKERS=$BROKERS" ;;
  smoke) cmd_smoke ;;
  run-class) shift; [[ $# -ge 1 ]] || usage; run_class "$@" ;;
  *) usage ;;
esac
