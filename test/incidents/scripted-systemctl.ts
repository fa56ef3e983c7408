/**
 * Test helper: a temp dir with `bin/systemctl`, a script answering
 * `systemctl show` from files in `states/`: each unit's ActiveState is read
 * from states/<unit> (default active); while states/MODE exists it fails as
 * systemctl does on a machine not booted with systemd. Builtins only, so
 * hundreds of units cost no extra processes.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/daemon.js';

export interface ScriptedSystemctl {
  /** The daemon's working directory. */
  dir: string;
  /** Put first on the daemon's PATH. */
  bin: string;
  /** Passed to the script as $FAKE_STATE_DIR. */
  states: string;
}

const SCRIPT = `#!/bin/bash
if [ -e "$FAKE_STATE_DIR/MODE" ]; then
  echo "System has not been booted with systemd as init system (PID 1). Can't operate." >&2
  echo "Failed to connect to bus: Host is down" >&2
  exit 1
fi
while [ $# -gt 0 ] && [ "$1" != -- ]; do shift; done
[ "\${1:-}" = -- ] && shift
first=1
for unit in "$@"; do
  [ "$first" = 1 ] || echo
  first=0
  state=active
  [ -f "$FAKE_STATE_DIR/$unit" ] && read -r state < "$FAKE_STATE_DIR/$unit"
  if [ "$state" = active ]; then sub=running; result=success; else sub=failed; result=exit-code; fi
  printf 'Result=%s\\nNRestarts=0\\nId=%s\\nLoadState=loaded\\nActiveState=%s\\nSubState=%s\\nStateChangeTimestamp=Sat 2026-11-28 10:35:47 UTC\\n' "$result" "$unit" "$state" "$sub"
done
`;

/** Pass `states` to the daemon as FAKE_STATE_DIR. */
export function scriptedSystemctl(prefix: string): ScriptedSystemctl {
  const dir = tempDir(prefix);
  const bin = join(dir, 'bin');
  const states = join(dir, 'states');
  mkdirSync(bin);
  mkdirSync(states);
  writeFileSync(join(bin, 'systemctl'), SCRIPT);
  chmodSync(join(bin, 'systemctl'), 0o755);
  return { dir, bin, states };
}
