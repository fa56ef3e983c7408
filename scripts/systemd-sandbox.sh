#!/bin/bash
# Boots a real systemd as PID 1 of private namespaces, with only the caller's unit files,
# so integration tests can talk to systemd without touching the host's init.
# Recipe and the reasons behind each step: /work/shared/notes/real-systemd-in-tests.md.
#
# Usage (root only):
#   systemd-sandbox.sh start  STATE_DIR         boot; print the host PID of the sandbox's PID 1
#   systemd-sandbox.sh stop   STATE_DIR         stop; idempotent, safe after a failed start
#   systemd-sandbox.sh exec   STATE_DIR CMD...  run CMD inside the sandbox (mount + PID namespace)
#   systemd-sandbox.sh freeze STATE_DIR         SIGSTOP PID 1: systemctl calls then hang
#   systemd-sandbox.sh thaw   STATE_DIR         SIGCONT PID 1
#
# STATE_DIR layout:
#   units/       the caller's unit files (the ONLY unit path systemd sees); the stub units
#                sandbox.target, sysinit.target, basic.target, shutdown.target are written here
#   boot-units   optional, one unit name per line: units sandbox.target Wants= at boot.
#                Only list units whose start job completes (not a Type=notify that never
#                notifies): boot waits for the job queue to drain. Start those later with
#                `systemctl start --no-block`.
#   bin/systemctl  written by start: runs systemctl inside the sandbox, args passed verbatim;
#                put bin/ first on a daemon's PATH to point it at the sandbox
#   pid1, script.pid, cgroup, console.log   bookkeeping and systemd's console log
#
# Environment: SANDBOX_BOOT_TIMEOUT (seconds, default 10).
set -euo pipefail

readonly SELF=$(readlink -f "${BASH_SOURCE[0]}")
readonly SYSTEMD=/lib/systemd/systemd
readonly SAFE_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
# By absolute path: a caller's PATH may start with a sandbox's bin/, whose systemctl is us.
SYSTEMCTL=$(PATH=$SAFE_PATH command -v systemctl) || SYSTEMCTL=/bin/systemctl
readonly SYSTEMCTL

die() { echo "systemd-sandbox: $*" >&2; exit 1; }

# The clock tick used in /proc/PID/stat field 22; pairs with a PID to detect PID reuse.
start_time_of() {
  local stat rest
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  rest=${stat##*) }
  # shellcheck disable=SC2086
  set -- $rest
  echo "${20}"
}

# "PID STARTTIME" in a file -> the PID, only if that very process still exists.
live_pid_from() {
  local file=$1 pid start now
  [[ -f $file ]] || return 1
  read -r pid start <"$file" || return 1
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  now=$(start_time_of "$pid") || return 1
  [[ $now == "$start" ]] || return 1
  echo "$pid"
}

record_pid() { echo "$1 $(start_time_of "$1")" >"$2"; }

cgroup2_root() {
  if [[ $(stat -f -c %T /sys/fs/cgroup) == cgroup2fs ]]; then
    echo /sys/fs/cgroup
  elif [[ -d /sys/fs/cgroup/unified && $(stat -f -c %T /sys/fs/cgroup/unified) == cgroup2fs ]]; then
    echo /sys/fs/cgroup/unified
  else
    return 1
  fi
}

# POSIX single-quoting, for the one command line that `script -c` hands to /bin/sh.
sh_quote() { printf "'%s'" "${1//\'/\'\\\'\'}"; }

write_stub_units() {
  local units=$1 boot_file=$2 wants=() name
  if [[ -f $boot_file ]]; then
    while read -r name; do
      [[ -n $name ]] && wants+=("$name")
    done <"$boot_file"
  fi
  for name in sysinit basic shutdown; do
    printf '[Unit]\nDescription=sandbox stub %s\nDefaultDependencies=no\nRefuseManualStart=yes\n' \
      "$name" >"$units/$name.target"
  done
  {
    printf '[Unit]\nDescription=sandbox default target\nDefaultDependencies=no\n'
    [[ ${#wants[@]} -eq 0 ]] || printf 'Wants=%s\n' "${wants[*]}"
  } >"$units/sandbox.target"
}

# The host PID of the namespace's PID 1: the process in our cgroup subtree whose
# innermost PID is 1 (systemd soon moves itself into init.scope, hence the subtree).
find_pid1() {
  local cg=$1 procs pid nspid
  while IFS= read -r procs; do
    while read -r pid; do
      nspid=$(awk '/^NSpid:/ { print $NF }' "/proc/$pid/status" 2>/dev/null) || continue
      [[ $nspid == 1 ]] && { echo "$pid"; return 0; }
    done <"$procs"
  done < <(find "$cg" -name cgroup.procs 2>/dev/null)
  return 1
}

# Runs a command inside the sandbox. nsenter forks to enter the PID namespace and does not
# forward signals, so pdeathsig makes the inner command die with nsenter (timeouts, kills).
in_sandbox() { # PID1 CMD...
  local pid1=$1
  shift
  exec nsenter -t "$pid1" -m -p -- setpriv --pdeathsig KILL -- "$@"
}

# systemctl inside the sandbox, bounded from INSIDE: if nsenter were the one killed, its
# child would be reparented to the host's init, and until that reaps it (this machine's
# init takes ~2 s) the dead sandbox's PID 1 cannot finish exiting.
sandbox_systemctl_within() { # STATE_DIR SECONDS ARGS...
  local state=$1 secs=$2
  shift 2
  timeout -s KILL $((secs + 2)) "$SELF" exec "$state" timeout -s KILL "$secs" "$SYSTEMCTL" "$@"
}

log_tail() { [[ -f $1/console.log ]] && tail -n 20 "$1/console.log" >&2 || true; }

cmd_start() {
  local state=$1 cgroot cg script_pid pid1 deadline now left out
  [[ $(id -u) == 0 ]] || die "needs root"
  [[ -x $SYSTEMD ]] || die "$SYSTEMD not found"
  cgroot=$(cgroup2_root) || die "no cgroup2 mount at /sys/fs/cgroup or /sys/fs/cgroup/unified"
  [[ -d $state/units ]] || die "$state/units does not exist"
  [[ ! -e $state/pid1 && ! -e $state/script.pid ]] || die "$state already holds a sandbox; stop it first"
  mkdir -p "$state/empty" "$state/bin"
  rm -f "$state/bin/systemctl" "$state/console.log"
  write_stub_units "$state/units" "$state/boot-units"

  # From here on, any way out but success (die, set -e, a signal) tears down what was made.
  trap 'cmd_stop "$state" now' EXIT
  trap 'exit 130' INT TERM HUP
  # Named after the state dir, so a leak can be traced to the run that made it.
  cg=${state//[^A-Za-z0-9_.-]/_}
  cg="$cgroot/jm-sandbox${cg: -180}-$$"
  mkdir "$cg"
  echo "$cg" >"$state/cgroup"

  # script gives systemd a pty for /dev/console (it logs only to a tty) even when we
  # have no terminal, and copies that console into console.log.
  SHELL=/bin/sh setsid script -qfec \
    "exec unshare --pid --fork --kill-child --mount --propagation private --mount-proc --uts --ipc -- $(sh_quote "$SELF") _ns $(sh_quote "$state")" \
    "$state/console.log" </dev/null >/dev/null 2>&1 &
  script_pid=$!
  record_pid "$script_pid" "$state/script.pid"

  deadline=$(($(date +%s%N) / 1000000 + ${SANDBOX_BOOT_TIMEOUT:-10} * 1000))
  pid1=""
  while :; do
    now=$(($(date +%s%N) / 1000000))
    ((now < deadline)) || break
    alive "$script_pid" || { log_tail "$state"; die "sandbox exited during boot"; }
    if [[ -z $pid1 ]]; then
      pid1=$(find_pid1 "$cg") && record_pid "$pid1" "$state/pid1" || pid1=""
    fi
    # comm is checked first: before the exec, /proc/PID/root/run is still the host's /run,
    # and on a host booted with systemd that socket is the host's own manager.
    if [[ -n $pid1 && $(cat "/proc/$pid1/comm" 2>/dev/null) == systemd &&
      -S /proc/$pid1/root/run/systemd/private ]]; then
      left=$(((deadline - now + 999) / 1000))
      out=$(sandbox_systemctl_within "$state" "$left" is-system-running --wait 2>/dev/null) || true
      case $out in
        running | degraded) break ;;
      esac
    fi
    sleep 0.01
  done
  if [[ ${out:-} != running && ${out:-} != degraded ]]; then
    log_tail "$state"
    if [[ -n $pid1 ]]; then
      echo "pending jobs:" >&2
      sandbox_systemctl_within "$state" 2 list-jobs --no-pager >&2 || true
    fi
    [[ -n $pid1 ]] && out=$(sandbox_systemctl_within "$state" 2 is-system-running 2>/dev/null) || true
    die "sandbox not ready within ${SANDBOX_BOOT_TIMEOUT:-10}s (is-system-running: ${out:-no answer})"
  fi

  # pdeathsig: if the caller kills only this wrapper (nsenter), the systemctl it forked
  # inside the namespace dies too instead of hanging on a frozen PID 1.
  {
    printf '#!/bin/sh\n'
    printf '# systemctl inside the sandbox whose PID 1 is host PID %s (written by %s)\n' "$pid1" "$SELF"
    printf 'exec %s -t %s -m -p -- %s --pdeathsig KILL -- %s "$@"\n' \
      "$(PATH=$SAFE_PATH command -v nsenter)" "$pid1" "$(PATH=$SAFE_PATH command -v setpriv)" "$SYSTEMCTL"
  } >"$state/bin/systemctl.tmp"
  chmod 755 "$state/bin/systemctl.tmp"
  mv "$state/bin/systemctl.tmp" "$state/bin/systemctl"
  trap - EXIT INT TERM HUP
  echo "$pid1"
}

# First step inside the new namespaces (PID 1, private mounts): join the child cgroup
# and give it a cgroup namespace of its own.
cmd_ns() {
  local state=$1
  echo 1 >"$(cat "$state/cgroup")/cgroup.procs"
  exec unshare --cgroup -- "$SELF" _boot "$state"
}

# Second step: the mounts systemd needs, then systemd itself as PID 1.
cmd_boot() {
  local state=$1 console
  console=$(tty)
  mount -t tmpfs -o mode=755 tmpfs /run
  umount -R /sys/fs/cgroup
  mount -t cgroup2 cgroup2 /sys/fs/cgroup
  # Without this, systemd as PID 1 raises the HOST's fs.file-max and friends.
  mount --bind /proc/sys /proc/sys
  mount -o remount,bind,ro /proc/sys
  mount --bind "$console" /dev/console
  exec env -i PATH="$SAFE_PATH" container=sandbox \
    SYSTEMD_UNIT_PATH="$state/units" \
    SYSTEMD_GENERATOR_PATH="$state/empty" \
    SYSTEMD_ENVIRONMENT_GENERATOR_PATH="$state/empty" \
    "$SYSTEMD" --unit=sandbox.target --show-status=no --log-target=console \
    --default-standard-output=tty --default-standard-error=tty
}

# A zombie counts as gone: it holds no resources, and its parent may not be us.
alive() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [[ ${stat:0:1} != Z ]]
}

wait_gone() { # PID MILLISECONDS
  local i
  for ((i = 0; i < $2 / 10; i++)); do
    alive "$1" || return 0
    sleep 0.01
  done
  ! alive "$1"
}

# Graceful first (systemctl --force exit), unless $2 is "now": after a failed boot
# systemd may sit in its final SIGTERM round for seconds, and nothing needs saving.
cmd_stop() {
  local state=$1 mode=${2:-graceful} pid1 script_pid cg dir mnt _dev _rest i
  if pid1=$(live_pid_from "$state/pid1"); then
    if [[ $mode == graceful ]]; then
      kill -CONT "$pid1" 2>/dev/null || true # a frozen PID 1 cannot exit
      sandbox_systemctl_within "$state" 2 --force exit >/dev/null 2>&1 || true
      wait_gone "$pid1" 2000 || true
    fi
    # Killing a namespace's PID 1 kills everything inside it. It then waits in the kernel
    # until every zombie of the namespace is reaped, including ones whose parent was a
    # killed nsenter and are now up to the host's init (slow here, ~2 s): hence 5 s.
    kill -KILL "$pid1" 2>/dev/null || true
    wait_gone "$pid1" 5000 || die "PID 1 ($pid1) survived SIGKILL"
  fi
  if script_pid=$(live_pid_from "$state/script.pid"); then
    # Exits by itself once unshare's child is gone; force it if boot never got that far.
    wait_gone "$script_pid" 1000 || kill -KILL -- "-$script_pid" "$script_pid" 2>/dev/null || true
    wait_gone "$script_pid" 2000 || die "script ($script_pid) survived SIGKILL"
  fi
  if [[ -f $state/cgroup ]]; then
    cg=$(cat "$state/cgroup")
    if [[ -d $cg ]]; then
      # Anything still in the subtree (a start that failed before PID 1 was found).
      [[ -f $cg/cgroup.kill ]] && echo 1 >"$cg/cgroup.kill" 2>/dev/null || true
      for ((i = 0; i < 200; i++)); do
        while IFS= read -r dir; do rmdir "$dir" 2>/dev/null || true; done < <(find "$cg" -depth -type d)
        [[ -d $cg ]] || break
        sleep 0.01
      done
      [[ ! -d $cg ]] || die "could not remove cgroup $cg"
    fi
  fi
  # Every mount lived in the sandbox's private namespace; this only guards against a
  # half-made start leaking one onto the host.
  while read -r _dev mnt _rest; do
    [[ $mnt == "$state" || $mnt == "$state"/* ]] && umount -l "$mnt" 2>/dev/null || true
  done </proc/self/mounts
  rm -f "$state/pid1" "$state/script.pid" "$state/cgroup" "$state/bin/systemctl"
}

cmd_signal() { # STATE_DIR SIGNAL
  local pid1
  pid1=$(live_pid_from "$1/pid1") || die "no running sandbox in $1"
  kill "-$2" "$pid1"
}

cmd_exec() {
  local state=$1 pid1
  shift
  pid1=$(live_pid_from "$state/pid1") || die "no running sandbox in $state"
  in_sandbox "$pid1" "$@"
}

usage() { awk '/^# Usage/ { on = 1 } on && /^#$/ { exit } on { sub(/^# ?/, ""); print }' "$SELF" >&2; exit 2; }

[[ $# -ge 2 ]] || usage
sub=$1
state=$(readlink -m -- "$2")
shift 2
case $sub in
  start) cmd_start "$state" ;;
  stop) cmd_stop "$state" ;;
  exec) [[ $# -ge 1 ]] || usage; cmd_exec "$state" "$@" ;;
  freeze) cmd_signal "$state" STOP ;;
  thaw) cmd_signal "$state" CONT ;;
  _ns) cmd_ns "$state" ;;
  _boot) cmd_boot "$state" ;;
  *) usage ;;
esac
