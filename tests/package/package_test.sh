#!/usr/bin/env bash
# The Debian package, end to end without installing it on this machine:
# builds it with cpack from the build tree, checks its control data, files and
# maintainer scripts, verifies the systemd unit, then extracts it and runs the
# packaged (stripped) civic and civicd: a one-node network serving the packaged
# page and answering chain_status, stopped cleanly with SIGTERM.
# Usage: package_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build="$1"; src="$2"
tmp="$(mktemp -d)"
node_pid=""
cleanup() {
  if [ -n "$node_pid" ]; then kill -9 "$node_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

cpack --config "$build/CPackConfig.cmake" -B "$tmp/out" >/dev/null
deb="$(ls "$tmp"/out/civicledger_*.deb)"
version="$(dpkg-deb -f "$deb" Version)"
[ "$(dpkg-deb -f "$deb" Package)" = civicledger ] || fail "package name"
depends="$(dpkg-deb -f "$deb" Depends)"
for lib in adduser libsodium23 libleveldb1d libssl3 libprotobuf32 libsecp256k1-1; do
  grep -q "$lib" <<<"$depends" || fail "Depends lacks $lib: $depends"
done

contents="$(dpkg-deb -c "$deb" | awk '{print $6}')"
for f in ./usr/bin/civicd ./usr/bin/civic ./usr/lib/systemd/system/civicd@.service \
         ./usr/share/civicledger/web/index.html ./usr/share/doc/civicledger/OPERATIONS.md; do
  grep -qx "$f" <<<"$contents" || fail "package lacks $f"
done
# Nothing of the test or bench tree ships.
if grep -E 'civic-bench|civic-sim|faultproxy|gtest|/tests?/' <<<"$contents"; then fail "test files in the package"; fi

dpkg-deb -e "$deb" "$tmp/control"
for s in postinst prerm postrm; do
  [ "$(stat -c %a "$tmp/control/$s")" = 755 ] || fail "$s is not 0755"
  sh -n "$tmp/control/$s" || fail "$s has a syntax error"
done

root="$tmp/root"
dpkg-deb -x "$deb" "$root"
"$root/usr/bin/civicd" --version | grep -q "civicd $version" || fail "civicd --version is not $version"

unit="$root/usr/lib/systemd/system/civicd@.service"
grep -q '^ExecStart=/usr/bin/civicd --config /etc/civicledger/%i/config.toml$' "$unit" || fail "unit ExecStart"
if command -v systemd-analyze >/dev/null; then
  mkdir -p "$tmp/unit"
  sed "s|/usr/bin/civicd|$root/usr/bin/civicd|" "$unit" > "$tmp/unit/civicd@psb-1.service"
  # verify exits 0 on unknown keys but prints them: any output is a failure.
  out="$(systemd-analyze verify "$tmp/unit/civicd@psb-1.service" 2>&1)" || fail "systemd-analyze: $out"
  [ -z "$out" ] || fail "systemd-analyze: $out"
else
  echo "systemd-analyze not installed: unit syntax not verified"
fi

"$root/usr/bin/civic" net init 1 --dir "$tmp/net" --base-port auto \
  --web-root "$root/usr/share/civicledger/web" --json > "$tmp/net.json"
config="$tmp/net/node0/config.toml"
rpc="$(sed -n 's|.*"rpc": "http://\([0-9.:]*\)".*|\1|p' "$tmp/net.json" | head -1)"
[ -n "$rpc" ] || fail "no RPC address in civic net init's answer"
"$root/usr/bin/civicd" --config "$config" 2>"$tmp/civicd.log" &
node_pid=$!
for _ in $(seq 1 100); do
  if curl -sf "http://$rpc/" -o "$tmp/index.html"; then break; fi
  sleep 0.1
done
cmp -s "$tmp/index.html" "$root/usr/share/civicledger/web/index.html" || fail "the node does not serve the packaged page"
curl -sf "http://$rpc/rpc" -H 'Content-Type: application/json' \
  -d '{"jsonrpc":"2.0","id":1,"method":"chain_status","params":{}}' | grep -q '"chain_id":"mianyang-1"' \
  || fail "chain_status from the packaged civicd"
kill -TERM "$node_pid"
rc=0; wait "$node_pid" || rc=$?
node_pid=""
[ "$rc" = 0 ] || { cat "$tmp/civicd.log" >&2; fail "civicd exited $rc after SIGTERM"; }
echo "package $(basename "$deb"): control, files, unit, packaged civicd served the page and chain_status"
