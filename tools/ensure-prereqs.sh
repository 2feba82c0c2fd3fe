#!/usr/bin/env bash
# Installs the system programs the local stack needs when they are missing: Java 17+, Maven and the
# PostgreSQL server binaries,
# Node.js (20.19 or newer) for the web bundles, and Chromium for the browser tests. Machines of our kind have them; a bare Debian gets them from apt as root.
set -euo pipefail

missing=()
java_major=$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n1 || true)
if [ -z "${java_major}" ] || [ "${java_major}" -lt 17 ]; then missing+=(openjdk-17-jre-headless); fi
command -v mvn >/dev/null 2>&1 || missing+=(maven)
if ! { command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; } \
   && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  missing+=(postgresql)
fi
[ -x /usr/bin/chromium ] || missing+=(chromium)
node_version=$(node --version 2>/dev/null | sed 's/^v//' || true)
if [ -z "${node_version}" ] || ! printf '%s\n%s\n' 20.19.0 "${node_version}" | sort -V -C; then
  # Debian's own nodejs is older than the web toolchain (eslint, vitest) accepts: say what to do.
  echo "ensure-prereqs: Node.js ${node_version:-is missing}; the web bundles need 20.19 or newer with npm (https://nodejs.org)" >&2
  exit 1
fi
# promtool (Prometheus's rule tester) checks the operations page's PromQL evaluator; Debian ships it only
# inside the prometheus server package, so take the one binary out of it, into the project's own folder.
if ! command -v promtool >/dev/null 2>&1 && [ ! -x .rstat/tools/promtool ] && command -v apt-get >/dev/null 2>&1; then
  work=$(mktemp -d)
  (cd "${work}" && { apt-get download prometheus >/dev/null 2>&1 || { apt-get update -qq && apt-get download prometheus >/dev/null; }; })
  dpkg -x "${work}"/prometheus_*.deb "${work}/x"
  mkdir -p .rstat/tools && cp "${work}/x/usr/bin/promtool" .rstat/tools/promtool
  rm -rf "${work}"
  echo "ensure-prereqs: promtool $(.rstat/tools/promtool --version 2>&1 | head -n1 | awk '{print $3}') in .rstat/tools"
fi
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-prereqs: missing ${missing[*]}: install them with your package manager" >&2
  exit 1
fi
echo "ensure-prereqs: installing ${missing[*]} with apt-get"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
