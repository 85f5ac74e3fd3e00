#!/usr/bin/env bash
# Installs a working code-server (VS Code 1.96, runs on Node 20) into the cache,
# following shared/ENVIRONMENT.md: the npm package's install scripts download
# things, so it is installed with --ignore-scripts and its native modules are
# rebuilt here against the system Node headers. Idempotent; prints the path of
# the code-server launcher on stdout.
source "$(dirname "$0")/common.sh"
CS_VERSION="${CS_VERSION:-4.96.4}"
PROXY_AGENT_VERSION=0.27.0
DIR="$MLOPS_CACHE/code-server-$CS_VERSION"
BIN="$DIR/node_modules/code-server/out/node/entry.js"
STAMP="$DIR/.ready"

apt_install chromium libkrb5-dev ripgrep python3 make g++ pkg-config libsecret-1-dev libx11-dev libxkbfile-dev

if [ -f "$STAMP" ]; then echo "$DIR"; exit 0; fi
log "installing code-server $CS_VERSION into $DIR (first time only, a few minutes)"
rm -rf "$DIR.tmp"; mkdir -p "$DIR.tmp"; cd "$DIR.tmp"
echo '{"name":"cs-host","private":true}' > package.json
npm install --no-save --ignore-scripts --no-audit --no-fund "code-server@$CS_VERSION" >&2
CS="$DIR.tmp/node_modules/code-server"
VS="$CS/lib/vscode"

# The shrinkwrap pins @vscode/proxy-agent to a git URL that cannot be reached:
# point it at the registry's tarball (same integrity).
TARBALL=$(npm view "@vscode/proxy-agent@$PROXY_AGENT_VERSION" dist.tarball)
node -e '
  const fs=require("fs"); const f=process.argv[1]; const j=JSON.parse(fs.readFileSync(f,"utf8"));
  const e=j.packages && j.packages["node_modules/@vscode/proxy-agent"];
  if(e){ e.resolved=process.argv[2]; }
  fs.writeFileSync(f, JSON.stringify(j,null,2));
' "$VS/npm-shrinkwrap.json" "$TARBALL"

(cd "$VS" && npm install --omit=dev --ignore-scripts --no-audit --no-fund >&2)
NODE_GYP="$(dirname "$(dirname "$(command -v npm)")")/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js"
[ -f "$NODE_GYP" ] || NODE_GYP="$(npm root -g)/npm/node_modules/node-gyp/bin/node-gyp.js"
for m in kerberos @parcel/watcher @vscode/spdlog @vscode/deviceid native-watchdog node-pty; do
  if [ -d "$VS/node_modules/$m" ]; then
    log "rebuilding native module $m"
    (cd "$VS/node_modules/$m" && node "$NODE_GYP" rebuild --nodedir=/usr >&2)
  fi
done
mkdir -p "$VS/node_modules/@vscode/ripgrep/bin"
ln -sf "$(command -v rg)" "$VS/node_modules/@vscode/ripgrep/bin/rg"
ln -sfn node_modules "$VS/node_modules.asar"
[ -e "$VS/bin/remote-cli/code-server" ] || ln -sf code-linux.sh "$VS/bin/remote-cli/code-server"
[ -e "$VS/bin/helpers/browser.sh" ] || ln -sf browser-linux.sh "$VS/bin/helpers/browser.sh"
(cd "$VS/extensions" && npm install --omit=dev --ignore-scripts --no-audit --no-fund >&2)
# argon2 (password hashing; unused with --auth none, but loaded at start) needs
# its native part built from source by its own node-pre-gyp.
ARGON2=$(cd "$DIR.tmp" && node -p 'require("path").dirname(require.resolve("argon2/package.json",{paths:[process.argv[1]]}))' "$CS")
PRE_GYP=$(cd "$ARGON2" && node -p 'require.resolve("@mapbox/node-pre-gyp/bin/node-pre-gyp",{paths:[process.cwd()]})')
log "rebuilding argon2"
(cd "$ARGON2" && node "$PRE_GYP" rebuild --build-from-source --nodedir=/usr >&2)
cd /; rm -rf "$DIR"; mv "$DIR.tmp" "$DIR"
touch "$STAMP"
echo "$DIR"
