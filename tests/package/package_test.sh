#!/usr/bin/env bash
# The .deb packages end to end: scripts/package builds them, lintian passes (errors and warnings
# fail; overrides are justified in packaging/deb/*.lintian-overrides), dpkg installs them into a
# throw-away root (dpkg --root, never the host), the files, units (systemd-analyze verify, with
# the binaries present), users (sysusers.d, created by postinst), hardening (systemd-analyze security <= 2.0) and
# --version are checked, and an upgrade keeps a conffile the operator changed.
# Usage: package_test.sh SOURCE_DIR BUILD_DIR VERSION
set -euo pipefail
src=$1 build=$2 version=$3
if [ "$(id -u)" -ne 0 ]; then
  echo "package_test: skipped: dpkg --root installs need root (CI runs as root)"
  exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "package_test: FAIL: $*" >&2; exit 1; }
step() { echo "== $*"; }

step "scripts/package (release 1)"
"$src/scripts/package" --build-dir "$build" --release 1 >"$tmp/package.log" 2>&1 ||
  { cat "$tmp/package.log"; fail "scripts/package"; }
steer_v1=$build/packages/steer_${version}-1_amd64.deb
authd_v1=$build/packages/steer-authd_${version}-1_amd64.deb
[ -f "$steer_v1" ] && [ -f "$authd_v1" ] || fail "no packages in $build/packages"

step "lintian (fails on errors and warnings)"
# One run that lists everything (infos, and overridden tags with their justification as O:);
# the verdict is ours: with --show-overrides, lintian's --fail-on counts overridden tags too.
lintian --fail-on none --display-level '>=info' --show-overrides \
  "$steer_v1" "$authd_v1" 2>&1 | grep -v 'root privileges' | tee "$tmp/lintian.log" ||
  fail "lintian did not run"
echo "lintian: $(grep -c '^E:' "$tmp/lintian.log") errors, $(grep -c '^W:' "$tmp/lintian.log")" \
  "warnings, $(grep -c '^O:' "$tmp/lintian.log") overridden, $(grep -c '^I:' "$tmp/lintian.log") info"
! grep -q '^[EW]:' "$tmp/lintian.log" || fail "lintian errors or warnings (above)"

step "control: conffiles and Depends"
for pair in "$steer_v1:/etc/steer/policy.yaml" "$authd_v1:/etc/steer/authd.yaml"; do
  deb=${pair%%:*} conf=${pair#*:}
  dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles | grep -qx "$conf" ||
    fail "$(basename "$deb"): $conf is not in conffiles"
  dpkg-deb -f "$deb" Depends | grep -q 'libc6' || fail "$(basename "$deb"): no shlibs Depends"
done

# A throw-away root: an empty dpkg database; the maintainer scripts run outside it with
# DPKG_ROOT set (--force-script-chrootless) and do nothing there. The libraries are the host's.
root=$tmp/root
mkdir -p "$root"/var/lib/dpkg/{info,updates,triggers}
touch "$root"/var/lib/dpkg/{status,available}
dpkg_root() {
  # Depends are not installed in the root (the binaries use the host's libraries).
  dpkg --root="$root" --log=/dev/null --force-depends --force-script-chrootless "$@" </dev/null
}
step "install v1 into $root"
dpkg_root -i "$steer_v1" "$authd_v1" >"$tmp/dpkg.log" 2>&1 || { cat "$tmp/dpkg.log"; fail "dpkg -i"; }

step "files"
for f in usr/bin/steerd usr/bin/steerctl usr/bin/steer-authd \
    lib/systemd/system/steerd.service lib/systemd/system/steerd.socket \
    lib/systemd/system/steerd-dns.socket \
    lib/systemd/system/steer-authd.service lib/systemd/system/steer-authd.socket \
    etc/steer/policy.yaml etc/steer/authd.yaml \
    usr/share/man/man1/steerd.1.gz usr/share/man/man1/steerctl.1.gz \
    usr/share/man/man1/steer-authd.1.gz \
    usr/share/doc/steer/copyright usr/share/doc/steer/changelog.Debian.gz \
    usr/share/doc/steer/README.md usr/share/doc/steer/examples/login-powerdns.yaml \
    usr/share/doc/steer-authd/copyright usr/share/doc/steer-authd/changelog.Debian.gz \
    usr/share/doc/steer-authd/auth-core.md usr/share/doc/steer-authd/examples/authd.yaml; do
  [ -f "$root/$f" ] || fail "missing /$f"
done
for b in steerd steerctl steer-authd; do
  [ -x "$root/usr/bin/$b" ] || fail "/usr/bin/$b is not executable"
done

step "units: every Documentation= link is installed"
for u in "$root"/lib/systemd/system/steer*.s*; do
  for doc in $(sed -n 's/^Documentation=//p' "$u"); do
    case "$doc" in
      file://*) f=${doc#file://} ;;
      man:*) f=$(echo "$doc" | sed -E 's|^man:([^()]+)\(([0-9])\)$|/usr/share/man/man\2/\1.\2.gz|') ;;
      *) continue ;;
    esac
    [ -f "$root$f" ] || fail "$(basename "$u"): Documentation=$doc is not installed ($f)"
  done
done

step "users: a system user per service, created by postinst (systemd-sysusers)"
for pair in steerd:steer steer-authd:steer-authd; do
  s=${pair%%:*} u=${pair#*:}
  grep -qx "User=$u" "$root/lib/systemd/system/$s.service" || fail "$s: not User=$u"
  grep -q '^StateDirectory=' "$root/lib/systemd/system/$s.service" || fail "$s: no StateDirectory"
  grep -q "^u $u " "$root/usr/lib/sysusers.d/$u.conf" || fail "no sysusers.d entry for $u"
  grep -q "^$u:x:[0-9]*:[0-9]*:.*:/usr/sbin/nologin$" "$root/etc/passwd" ||
    fail "postinst did not create the user $u: $(cat "$root/etc/passwd" 2>&1)"
  grep -q "^$u:x:" "$root/etc/group" || fail "postinst did not create the group $u"
done
! grep -q '^DynamicUser=' "$root"/lib/systemd/system/*.service || fail "DynamicUser beside User="

step "--version"
for b in steerd steerctl steer-authd; do
  out=$("$root/usr/bin/$b" --version) || fail "$b --version exited $?"
  echo "$out"
  [ "$out" = "$b $version" ] || fail "$b --version: '$out', want '$b $version'"
done

step "units: systemd-analyze verify"
# verify resolves units and executables inside the root: give it the targets the units are
# ordered after and /bin/kill (ExecReload), which a real system has.
mkdir -p "$root/bin"
cp /bin/kill "$root/bin/kill"
cp /lib/systemd/system/*.target "$root/lib/systemd/system/"
(cd "$root" && systemd-analyze verify --root="$root" --man=no --generators=no \
  lib/systemd/system/steerd.service lib/systemd/system/steerd.socket \
  lib/systemd/system/steerd-dns.socket \
  lib/systemd/system/steer-authd.service lib/systemd/system/steer-authd.socket) ||
  fail "systemd-analyze verify"

step "systemd-analyze security (exposure <= 2.0)"
for s in steerd steer-authd; do
  line=$(systemd-analyze security --offline=true --root="$root" "$s.service" 2>&1 |
         grep 'Overall exposure level') || fail "$s: no exposure level"
  echo "$line"
  level=$(echo "$line" | sed -E 's/.*: ([0-9.]+) .*/\1/')
  awk -v l="$level" 'BEGIN { exit !(l <= 2.0) }' || fail "$s exposure $level > 2.0"
done

step "upgrade to v2: a changed conffile is kept, an unchanged one follows the package"
# v2 is v1 repacked with Debian revision 2 and a new line in the shipped authd.yaml (a second
# cpack run would double the test's time; dpkg's conffile handling is what is under test).
repack() {  # DEB OUT [CONFFILE-TO-CHANGE]
  local dir=$tmp/repack
  rm -rf "$dir"
  dpkg-deb -R "$1" "$dir"
  sed -i -E "s/^Version: .*/Version: ${version}-2/" "$dir/DEBIAN/control"
  if [ -n "${3:-}" ]; then echo "# v2 default" >>"$dir$3"; fi
  (cd "$dir" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' |
    xargs -0 md5sum >DEBIAN/md5sums)
  dpkg-deb -b -Zgzip "$dir" "$2" >/dev/null
}
repack "$steer_v1" "$tmp/steer_v2.deb"
repack "$authd_v1" "$tmp/steer-authd_v2.deb" /etc/steer/authd.yaml
echo "# changed by the operator" >>"$root/etc/steer/policy.yaml"
dpkg_root -i "$tmp/steer_v2.deb" "$tmp/steer-authd_v2.deb" >"$tmp/dpkg.log" 2>&1 ||
  { cat "$tmp/dpkg.log"; fail "dpkg -i v2"; }
for p in steer steer-authd; do
  v=$(dpkg-query --admindir="$root/var/lib/dpkg" -W -f '${Version} ${Status}' "$p")
  [ "$v" = "${version}-2 install ok installed" ] || fail "$p after upgrade: $v"
done
grep -qx '# changed by the operator' "$root/etc/steer/policy.yaml" ||
  fail "the upgrade overwrote the operator's /etc/steer/policy.yaml"
grep -qx '# v2 default' "$root/etc/steer/authd.yaml" ||
  fail "the upgrade did not install v2's unchanged-by-the-operator /etc/steer/authd.yaml"
if ls "$root"/etc/steer/*.dpkg-* >/dev/null 2>&1; then fail "left $(ls "$root"/etc/steer)"; fi
echo "policy.yaml kept the operator's change; authd.yaml took v2's"

step "remove (not purge) keeps the conffiles"
dpkg_root -r steer steer-authd >"$tmp/dpkg.log" 2>&1 || { cat "$tmp/dpkg.log"; fail "dpkg -r"; }
[ ! -e "$root/usr/bin/steerd" ] || fail "/usr/bin/steerd left after remove"
grep -qx '# changed by the operator' "$root/etc/steer/policy.yaml" ||
  fail "remove lost /etc/steer/policy.yaml"
echo "package_test: ok"
