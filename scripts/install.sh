#!/bin/bash
# Installs JobMonitor from this (built) checkout as a hardened systemd service.
# Safe to run again: upgrades the app, keeps the config, restarts the service.
#
# Usage (as root, from a checkout where `npm ci && npm run build` has run):
#   scripts/install.sh [options]              install or upgrade, then enable and (re)start
#   scripts/install.sh --uninstall [--purge]  stop, disable, remove unit and app;
#                                             --purge also removes config, data and user
# Options (defaults in brackets):
#   --prefix DIR     where the app goes                        [/opt/jobmonitor]
#   --config FILE    config file; a starter one is written
#                    only when none exists                     [/etc/jobmonitor/config.yaml]
#   --data DIR       history (WorkingDirectory; StateDirectory
#                    when under /var/lib)                      [/var/lib/jobmonitor]
#   --user NAME      system user (and its group) to run as     [jobmonitor]
#   --addr ADDR      listen address, host:port or :port        [:8080]
#   --node FILE      node binary for the unit                  [node on PATH]
#   --unit-dir DIR   where the unit file goes                  [/etc/systemd/system]
#   --root DIR       install into a staging root (image builds, tests): every file goes
#                    under DIR, the unit names the final paths; implies --no-start
#   --no-start       do not run systemctl (daemon-reload, enable, restart)
#   -h, --help
#
# Network: none. Production dependencies are this checkout's node_modules, pruned
# offline (`npm prune --omit=dev --offline`) in a staging copy.
set -euo pipefail

readonly SELF=$(readlink -f "${BASH_SOURCE[0]}")
readonly SRC=$(dirname "$(dirname "$SELF")")
readonly TEMPLATE=$SRC/scripts/jobmonitor.service
readonly UNIT=jobmonitor.service
readonly SAFE_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

prefix=/opt/jobmonitor
config=/etc/jobmonitor/config.yaml
data=/var/lib/jobmonitor
user=jobmonitor
addr=:8080
node=""
unit_dir=/etc/systemd/system
root=""
start=1
action=install
purge=0

log() { echo "install: $*"; }
warn() { echo "install: warning: $*" >&2; }
die() { echo "install: error: $*" >&2; exit 1; }
usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$SELF"; }

# Paths end up unquoted in the unit file, where spaces split words and % starts a
# specifier; this alphabet needs no escaping there or in sudoers.
check_path() { # WHAT VALUE
  [[ $2 =~ ^/[A-Za-z0-9._/+@-]*$ && $2 != *//* && $2 != */. && $2 != */./* && $2 != */.. && $2 != */../* ]] ||
    die "$1 must be an absolute path of letters, digits and ._/+@- (got '$2')"
}

need_value() { [[ $# -ge 2 && -n $2 ]] || die "$1 needs a value"; }

while [[ $# -gt 0 ]]; do
  case $1 in
    --prefix) need_value "$@"; prefix=$2; shift 2 ;;
    --config) need_value "$@"; config=$2; shift 2 ;;
    --data) need_value "$@"; data=$2; shift 2 ;;
    --user) need_value "$@"; user=$2; shift 2 ;;
    --addr) need_value "$@"; addr=$2; shift 2 ;;
    --node) need_value "$@"; node=$2; shift 2 ;;
    --unit-dir) need_value "$@"; unit_dir=$2; shift 2 ;;
    --root) need_value "$@"; root=$2; shift 2 ;;
    --no-start) start=0; shift ;;
    --uninstall) action=uninstall; shift ;;
    --purge) purge=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument '$1'" ;;
  esac
done

check_path --prefix "$prefix"
check_path --config "$config"
check_path --data "$data"
check_path --unit-dir "$unit_dir"
[[ $user =~ ^[a-z_][a-z0-9_-]{0,30}$ ]] || die "--user must be a plain system user name (got '$user')"
[[ $addr =~ ^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]*):[0-9]{1,5}$ ]] || die "--addr must be host:port or :port (got '$addr')"
case $prefix in
  / | /bin | /boot | /dev | /etc | /home | /lib | /lib64 | /opt | /proc | /root | /run | /sbin | /srv | /sys | /tmp | /usr | /usr/* | /var | /var/lib)
    [[ $prefix == /usr/local/* || $prefix == /usr/lib/jobmonitor ]] || die "--prefix $prefix is a system directory; use a directory of its own" ;;
esac
[[ $purge == 0 || $action == uninstall ]] || die "--purge goes with --uninstall"
if [[ -n $root ]]; then
  root=$(readlink -m -- "$root")
  [[ $root != / ]] || root=""
  start=0
fi
[[ -n $root || $(id -u) == 0 ]] || die "run as root (or with --root DIR to stage an install)"
# Real paths on this machine (under the staging root, if any).
readonly R=$root P=$root$prefix C=$root$config D=$root$data U=$root$unit_dir

systemctl_() { PATH=$SAFE_PATH systemctl "$@"; }

# True when DIR holds an install of ours (so replacing or removing it is safe).
is_our_install() {
  [[ -f $1/package.json && -f $1/dist/src/main.js ]] && grep -q '"name": *"jobmonitor"' "$1/package.json"
}

# --------------------------------------------------------------------- uninstall

uninstall() {
  if [[ $start == 1 ]]; then
    systemctl_ disable --now "$UNIT" 2>/dev/null || true
  fi
  if [[ -n $R && $unit_dir == /etc/systemd/system ]]; then
    systemctl_ --root="$R" disable "$UNIT" >/dev/null 2>&1 || true
  fi
  rm -f "$U/$UNIT"
  rm -rf "$U/$UNIT.d"
  [[ $start == 0 ]] || systemctl_ daemon-reload || true
  if [[ -e $P ]]; then
    is_our_install "$P" || die "$P does not look like a JobMonitor install; not removing it"
    rm -rf "$P"
  fi
  log "removed the unit and $P"
  if [[ $purge == 1 ]]; then
    rm -f "$C"
    rmdir "$(dirname "$C")" 2>/dev/null || true
    [[ $data == /var/lib/* || -f $D/.jobmonitor-data ]] || die "not removing $D: not under /var/lib and not made by this script"
    rm -rf "$D"
    if [[ -z $R ]] && getent passwd "$user" >/dev/null; then
      userdel "$user" || warn "could not remove user $user"
    fi
    log "purged $C, $D and user $user"
  else
    log "kept $C, $D and user $user (--purge removes them)"
  fi
}

if [[ $action == uninstall ]]; then
  uninstall
  exit 0
fi

# --------------------------------------------------------------------- checks

[[ -f $TEMPLATE ]] || die "$TEMPLATE is missing"
for built in dist/src/main.js dist/workers public/dist node_modules package.json package-lock.json; do
  [[ -e $SRC/$built ]] || die "$SRC/$built is missing: run 'npm ci && npm run build' in $SRC first"
done

if [[ -z $node ]]; then
  node=$(command -v node) || die "node is not on PATH; pass --node /path/to/node"
fi
node=$(readlink -f -- "$node")
check_path --node "$node"
[[ -x $R$node || -x $node ]] || die "$node is not executable"
node_major=$("$node" -p 'process.versions.node.split(".")[0]') || die "$node does not run"
((node_major >= 20)) || die "node $node_major at $node is too old; JobMonitor needs 20 or newer"
case $node in
  /home/* | /root/* | /run/user/*)
    die "$node is under a home directory, which ProtectHome=yes hides from the service; install node system-wide or pass --node" ;;
esac

# --------------------------------------------------------------------- user

passwd_has() { [[ -f $1/etc/passwd ]] && grep -q "^$2:" "$1/etc/passwd"; }
# Field N of the first line of FILE whose field 1 (or field 3, numeric id) is KEY.
field_of() { awk -F: -v k="$2" -v n="$3" '$1 == k || $3 == k { print $n; exit }' "$1"; }

# Owners for chown: names on this machine, numeric ids from a staging root's own
# files (its names may mean other ids here), empty when the user does not exist yet.
uid_ref="" gid_ref="" group=$user
if [[ -z $R ]]; then
  if ! getent passwd "$user" >/dev/null; then
    useradd --system --user-group --no-create-home --home-dir "$data" --shell /usr/sbin/nologin "$user"
    log "created system user $user"
  fi
  group=$(id -gn "$user")
  uid_ref=$user gid_ref=$group
else
  if ! passwd_has "$R" "$user" && [[ -f $R/etc/passwd && $(id -u) == 0 ]]; then
    useradd --root "$R" --system --user-group --no-create-home --home-dir "$data" --shell /usr/sbin/nologin "$user"
    log "created system user $user in $R"
  fi
  if passwd_has "$R" "$user"; then
    uid_ref=$(field_of "$R/etc/passwd" "$user" 3)
    gid_ref=$(field_of "$R/etc/passwd" "$user" 4)
    group=$(field_of "$R/etc/group" "$gid_ref" 1)
  else
    warn "$R/etc/passwd has no user $user: create it on the target system (useradd --system --user-group $user) and chown $data to it"
  fi
fi
can_chown() { [[ -n $uid_ref && $(id -u) == 0 ]]; }

# --------------------------------------------------------------------- app

# The new app is staged next to the old one and swapped in only after the config has
# been checked with it, so a failed upgrade leaves the running install untouched.
[[ ! -e $P ]] || is_our_install "$P" || die "$P exists and is not a JobMonitor install; choose another --prefix"
mkdir -p "$(dirname "$P")"
stage=$(mktemp -d "$P.new.XXXXXX")
# shellcheck disable=SC2064
trap "rm -rf '$stage'" EXIT

stage_app() {
  local item
  mkdir -p "$stage/dist" "$stage/public"
  cp -a "$SRC/dist/src" "$SRC/dist/workers" "$stage/dist/"
  cp -a "$SRC/package.json" "$SRC/package-lock.json" "$stage/"
  for item in bin docs README.md LICENSE; do
    [[ ! -e $SRC/$item ]] || cp -a "$SRC/$item" "$stage/"
  done
  for item in "$SRC"/public/*; do
    case ${item##*/} in src | tsconfig.json) ;; *) cp -a "$item" "$stage/public/" ;; esac
  done
  cp -a "$SRC/node_modules" "$stage/"
  (cd "$stage" && npm_config_cache="$stage/.npm-cache" npm_config_update_notifier=false \
    npm prune --omit=dev --offline --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null) ||
    die "npm prune --omit=dev failed in $stage"
  rm -rf "$stage/.npm-cache"
  # Root owns the code and nobody else may write it: the service cannot change what it runs.
  chmod -R u+rwX,go+rX,go-w "$stage"
  chmod 0755 "$stage"
  [[ $(id -u) != 0 ]] || chown -R 0:0 "$stage"
}

# The old copy is removed only after the restart: until then the running daemon may
# still load files from it (a pool worker that is replaced).
old_app=""
swap_app() {
  if [[ -e $P ]]; then
    old_app=$P.old.$$
    mv "$P" "$old_app"
  fi
  mv "$stage" "$P"
  # shellcheck disable=SC2064
  trap "rm -rf '$old_app'" EXIT
  log "app installed in $P"
}

stage_app

# --------------------------------------------------------------------- config and data

starter_config() {
  cat <<EOF
# JobMonitor configuration. Every key: $prefix/docs/configuration.md.
# Check it with: $node $prefix/dist/src/main.js validate -config $config
interval_minutes: 5
data_directory: $data
# node_id defaults to the host name; node_name to node_id.
# api_key: change-me          # then every /api/* call needs "Authorization: Bearer change-me"
targets:
  - id: journald
    name: Journal
    service: systemd-journald.service
  # - id: backup
  #   name: Nightly backup
  #   service: backup.timer
  #   use_sudo: true          # run "sudo -n systemctl show"; re-run install.sh after changing this
EOF
}

config_dir=$(dirname "$C")
if [[ ! -d $config_dir ]]; then
  mkdir -p "$config_dir"
  chmod 0750 "$config_dir"
  ! can_chown || chown "0:$gid_ref" "$config_dir"
fi
if [[ -e $C ]]; then
  log "keeping the existing config $C"
else
  (umask 077 && starter_config >"$C.tmp.$$")
  mv "$C.tmp.$$" "$C"
  log "wrote a starter config to $C: edit its targets, then re-run this script"
fi
# It may hold api keys and webhook URLs: readable by the service's group, not by others.
chmod 0640 "$C"
! can_chown || chown "0:$gid_ref" "$C"

mkdir -p "$D"
chmod 0750 "$D"
[[ -e $D/.jobmonitor-data ]] || : >"$D/.jobmonitor-data"
# An install that ran as root before leaves root-owned history the service could not append to.
! can_chown || chown -R "$uid_ref:$gid_ref" "$D"

# --------------------------------------------------------------------- what the config needs

validate_out=$(cd "$D" && "$node" "$stage/dist/src/main.js" validate -config "$C" 2>&1) || {
  echo "$validate_out" >&2
  die "the config is not valid; fix $C and run this script again"
}
log "$validate_out"

# Read with the daemon's own code: line 1 "<use_sudo targets> <journal_lines>", lines 2,
# 3 and 4 the arguments a sudoers rule must allow for `systemctl show`, `journalctl` and
# `systemctl list-units`,
# built from the very command lines the workers run, the unit names (and line count)
# as regular expressions. Sudoers wants \ , : = escaped in arguments.
facts=$(cd "$D" && "$node" --input-type=module -e '
  const [load, show, journal, list, config] = process.argv.slice(1);
  const { loadConfigFile } = await import(load);
  const { showCommand } = await import(show);
  const { journalCommand } = await import(journal);
  const { listCommand } = await import(list);
  const r = await loadConfigFile(config, { hostname: "install" });
  if (!r.ok) process.exit(1);
  const UNIT = "JMUNIT", UNITS = "JMUNITS", LINES = 987654;
  const unit = "[A-Za-z0-9:_.@\\-]+";
  const literal = (s) => s.replace(/[.[\]()*+?{}|^$\\]/g, "\\$&");
  const rule = (args) => {
    const re = "^" + literal(args.join(" "))
      .replaceAll(UNITS, `${unit}( ${unit})*`)
      .replaceAll(UNIT, unit)
      .replaceAll(String(LINES), "[0-9]+") + "$";
    return re.replace(/[\\,:=]/g, "\\$&");
  };
  const sudoArgs = (c) => c.args.slice(2); // drop "-n <program>"
  console.log(`${r.config.targets.filter((t) => t.use_sudo).length} ${r.config.journal_lines ?? 0}`);
  console.log(rule(sudoArgs(showCommand([UNITS], true))));
  console.log(rule(sudoArgs(journalCommand(UNIT, LINES, true))));
  console.log(rule(sudoArgs(listCommand([UNITS], true))));
' "file://$stage/dist/src/config/load.js" "file://$stage/dist/workers/systemd-show.js" "file://$stage/dist/workers/journal.js" "file://$stage/dist/workers/list-units.js" "$C") ||
  die "could not read $C"
{
  read -r sudo_targets journal_lines
  read -r sudo_show_args
  read -r sudo_journal_args
  read -r sudo_list_args
} <<<"$facts"

swap_app

# --------------------------------------------------------------------- unit

state_directory="# StateDirectory= only names directories under /var/lib; $data is made by install.sh"
[[ $data != /var/lib/* ]] || state_directory="StateDirectory=${data#/var/lib/}"

unit=$(<"$TEMPLATE")
unit=${unit//@PREFIX@/$prefix}
unit=${unit//@CONFIG@/$config}
unit=${unit//@DATA@/$data}
unit=${unit//@USER@/$user}
unit=${unit//@GROUP@/$group}
unit=${unit//@ADDR@/$addr}
unit=${unit//@NODE@/$node}
unit=${unit//@STATE_DIRECTORY@/$state_directory}
[[ $unit != *@[A-Z_]*@* ]] || die "unreplaced placeholder in the unit: $(grep -o '@[A-Z_]*@' <<<"$unit" | head -1)"

write_file() { # PATH MODE CONTENT
  printf '%s\n' "$3" >"$1.tmp.$$"
  chmod "$2" "$1.tmp.$$"
  mv "$1.tmp.$$" "$1"
}

mkdir -p "$U"
write_file "$U/$UNIT" 0644 "$unit"
log "wrote $U/$UNIT"

dropins=$U/$UNIT.d
sudo_dropin=$dropins/50-use-sudo.conf
journal_dropin=$dropins/50-journal.conf
if ((sudo_targets > 0)); then
  mkdir -p "$dropins"
  write_file "$sudo_dropin" 0644 "# Written by install.sh: $sudo_targets target(s) in $config have use_sudo: true.
# sudo is setuid root, which NoNewPrivileges forbids. For a service with User=, systemd
# also sets no_new_privs for every seccomp-based option below, so those go too; the
# bounding set lets through what sudo itself needs (the uid/gid switch, its audit record).
[Service]
NoNewPrivileges=no
CapabilityBoundingSet=CAP_SETUID CAP_SETGID CAP_AUDIT_WRITE
PrivateDevices=no
DevicePolicy=closed
ProtectKernelTunables=no
ProtectKernelModules=no
ProtectKernelLogs=no
ProtectClock=no
ProtectHostname=no
RestrictNamespaces=no
RestrictRealtime=no
RestrictSUIDSGID=no
LockPersonality=no
RestrictAddressFamilies=
SystemCallArchitectures=
SystemCallFilter="
  log "use_sudo targets: wrote $sudo_dropin (NoNewPrivileges off; the file says why)"
else
  rm -f "$sudo_dropin"
fi
if ((journal_lines > 0)) && grep -q '^systemd-journal:' "$R/etc/group" 2>/dev/null; then
  mkdir -p "$dropins"
  write_file "$journal_dropin" 0644 "# Written by install.sh: journal_lines is $journal_lines in $config; the journal is readable by this group.
[Service]
SupplementaryGroups=systemd-journal"
  log "journal_lines: wrote $journal_dropin"
else
  rm -f "$journal_dropin"
fi
rmdir "$dropins" 2>/dev/null || true

if ((sudo_targets > 0)); then
  systemctl_path=$(PATH=$SAFE_PATH command -v systemctl || echo /usr/bin/systemctl)
  journalctl_path=$(PATH=$SAFE_PATH command -v journalctl || echo /usr/bin/journalctl)
  cat <<EOF

install: $sudo_targets target(s) use sudo. Nothing was written to sudoers; rules that allow
install: exactly the daemon's read-only commands (check with visudo -cf FILE, then install
install: it as /etc/sudoers.d/jobmonitor, mode 0440):

$user ALL=(root) NOPASSWD: $systemctl_path $sudo_show_args
$user ALL=(root) NOPASSWD: $systemctl_path $sudo_list_args
EOF
  ((journal_lines == 0)) || echo "$user ALL=(root) NOPASSWD: $journalctl_path $sudo_journal_args"
  echo
fi

# --------------------------------------------------------------------- start

if [[ $start == 0 ]]; then
  if [[ -n $R && $unit_dir == /etc/systemd/system ]]; then
    systemctl_ --root="$R" enable "$UNIT" >/dev/null 2>&1 && log "enabled $UNIT in $R" || warn "could not enable $UNIT in $R"
  fi
  log "done; not started (--no-start or --root)"
  exit 0
fi
# (the EXIT trap removes the old copy of the app)
systemctl_ daemon-reload
systemctl_ enable "$UNIT" >/dev/null 2>&1 || warn "could not enable $UNIT (it will not start at boot)"
# restart, not start: an upgrade must run the new code.
systemctl_ restart "$UNIT" || {
  systemctl_ status --no-pager "$UNIT" >&2 || true
  die "$UNIT did not start"
}
log "$UNIT is $(systemctl_ is-active "$UNIT" || true); listening on $addr"
