#!/usr/bin/env bash
# Fetches a nats-server newer than Debian 12's 2.9 (which has no `sync_interval`) from Debian's
# own archive, without installing anything: apt downloads the package of the release named below
# into a private state directory, and the binary is unpacked into .data/nats-server-<version>/.
# Prints the binary's path, for TEST_NATS_SERVER_BIN:
#   TEST_NATS_SERVER_BIN=$(bash e2e/bench/fetch-nats-server.sh) npm run bench -- --only scale
set -euo pipefail
suite=${NATS_SERVER_SUITE:-trixie}
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/cache/archives/partial"
echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $suite main" \
  >"$work/sources.list"
apt_options=(
  -o "Dir::Etc::SourceList=$work/sources.list" -o Dir::Etc::SourceParts=/dev/null
  -o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache" -o APT::Sandbox::User=root
)
apt-get "${apt_options[@]}" -qq update >&2
version=$(apt-cache "${apt_options[@]}" show nats-server | sed -n 's/^Version: //p' | sort -V | tail -1)
target="$root/.data/nats-server-$version"
if [[ ! -x "$target/usr/sbin/nats-server" ]]; then
  (cd "$work" && apt-get "${apt_options[@]}" -qq download "nats-server=$version" >&2)
  mkdir -p "$target"
  dpkg-deb -x "$work"/nats-server_*.deb "$target"
fi
echo "$target/usr/sbin/nats-server"
