#!/usr/bin/env bash
# Runs inside the booted Debian guest of scripts/boot-test (systemd as PID 1), once per boot, from
# the 9p share mounted at /mnt/share. The host writes the stage number to /mnt/share/stage; this
# script writes one line per assertion to /mnt/share/results-<stage>.txt ("ok NAME" or
# "not ok NAME: why", "# note" lines for figures) and diagnostics to diag-<stage>.txt. Stages:
#   1 install the older package (live system), configure the host as an operator would, enable;
#   2 first boot with the unit: it ran once, check exits 0, the journal holds the boot apply;
#   3 reboot: the same; then apply a change with --confirm-within and let it revert;
#   4 reboot: the reverted change did not come back; upgrade in place; remove; purge.
set -uo pipefail
share=/mnt/share
stage=$(cat "$share/stage")
results=$share/results-$stage.txt
diag=$share/diag-$stage.txt
: > "$results"
read -r old_version new_version < "$share/versions"
state=/var/lib/poolnet
mac=52:54:00:b0:07:01

ok() { echo "ok $*" >> "$results"; }
not_ok() { echo "not ok $*" >> "$results"; }
note() { echo "# $*" >> "$results"; }
# expect NAME COMMAND...: ok when the command succeeds, else not ok with the end of its output.
expect() {
  local name=$1 out; shift
  if out=$("$@" 2>&1); then ok "$name"; else not_ok "$name: $(tail -c 400 <<<"$out" | tr '\n' ' ')"; fi
}
# equal NAME GOT WANT (multi-line values: the differing lines)
equal() {
  if [[ "$2" == "$3" ]]; then ok "$1"
  elif [[ "$2$3" == *$'\n'* ]]; then not_ok "$1: $(diff <(echo "$3") <(echo "$2") | grep '^[<>]' | sed 's/^</want/; s/^>/got/' | tr '\n' ' ')"
  else not_ok "$1: got '$2', want '$3'"; fi
}
sha() { sha256sum "$1" | cut -d' ' -f1; }
# What the network looks like (links, their state, addresses, bridge details): compared around
# the package operations that must leave it alone.
# Timers (the bridge's gc_timer and the like) count on their own and are left out.
network() { ip -br link; ip -br addr; ip -d -o link show type bridge | sed -E 's/ [a-z_]*timer +[0-9.]+//g'; }
# Boot applies in the poolnet journal: one per apply id (an apply writes its intent, then its
# outcome, under one id), the last record of each.
boot_applies() { jq -sc 'map(select(.trigger == "boot")) | group_by(.id) | sort_by(.[0].time) | .[] | last' "$state/journal.jsonl" 2>/dev/null; }
state_sums() { (cd "$state" && find . -type f ! -name '*.lock' -print0 | LC_ALL=C sort -z | xargs -0r sha256sum); }

# The unit ran exactly once in this boot and succeeded; the host matches the file it applied;
# the poolnet journal holds one more boot apply, of the file with the expected content.
assert_boot_apply() {  # boot records expected, sha256 of the file that must be applied, a file it matches
  local want_count=$1 want_sha=$2 matches=$3 starts records last
  starts=$(journalctl -b -u poolnet-apply.service -o cat --no-pager | grep -c '^Starting poolnet-apply' || true)
  equal "poolnet-apply.service started once in this boot" "$starts" 1
  equal "poolnet-apply.service succeeded" \
    "$(systemctl show -P ActiveState poolnet-apply.service) $(systemctl show -P Result poolnet-apply.service)" "active success"
  records=$(boot_applies)
  equal "the poolnet journal holds $want_count boot applies" "$(grep -c . <<<"$records")" "$want_count"
  last=$(tail -n 1 <<<"$records")
  equal "the boot apply's outcome" "$(jq -r .result <<<"$last")" applied
  equal "the boot apply applied the expected file content" "$(jq -r .file_sha256 <<<"$last")" "$want_sha"
  if [[ -n "$(jq -r '.reason // empty' <<<"$last")" ]]; then ok "the boot apply says why: $(jq -r .reason <<<"$last")"
  else not_ok "the boot apply record has no reason: $last"; fi
  expect "poolnet check $matches exits 0 after boot" poolnet check --quiet "$matches"
  expect "sto0 has its storage address and MTU" sh -c "ip -br addr show sto0 | grep -q ' 192.0.2.11/24' && ip link show sto0 | grep -q 'mtu 9000'"
  expect "the private bridge exists with its address" sh -c "ip -br addr show xenbr-priv0 | grep -q ' 203.0.113.1/28'"
  local cycles failed
  cycles=$(journalctl -b -o cat --no-pager | grep -i 'ordering cycle' || true)
  equal "no ordering cycle at boot" "$cycles" ""
  failed=$(systemctl --failed --no-legend --plain --no-pager | awk '{print $1}' | paste -sd' ' -)
  equal "no failed units" "$failed" ""
}

# The check unit works under its hardening, with and without the textfile drop-in, and its
# systemd-analyze exposure stays at or below 5.
assert_check_unit() {
  local exposure
  expect "poolnet-check.service runs under its hardening" systemctl start poolnet-check.service
  equal "poolnet-check.service result" "$(systemctl show -P Result poolnet-check.service)" success
  mkdir -p /var/lib/node_exporter/textfile /etc/systemd/system/poolnet-check.service.d
  cp /usr/share/doc/poolnet/examples/poolnet-check-textfile.conf /etc/systemd/system/poolnet-check.service.d/textfile.conf
  systemctl daemon-reload
  expect "poolnet-check.service with the textfile drop-in" systemctl start poolnet-check.service
  expect "the textfile says the host matches" grep -q '^poolnet_check_success{.*} 1$' /var/lib/node_exporter/textfile/poolnet.prom
  for unit in poolnet-check.service poolnet-apply.service; do
    exposure=$(systemd-analyze security --no-pager "$unit" | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
    note "systemd-analyze security $unit: exposure $exposure"
  done
  exposure=$(systemd-analyze security --no-pager poolnet-check.service | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
  if [[ -n "$exposure" ]] && awk -v e="$exposure" 'BEGIN {exit !(e <= 5)}'; then ok "poolnet-check.service exposure $exposure <= 5"
  else not_ok "poolnet-check.service exposure '$exposure' is above 5"; fi
}

stage1() {
  local before
  expect "poolnet is not installed before stage 1" test ! -e /usr/sbin/poolnet
  before=$(network)
  expect "dpkg -i of the older package in the running system" dpkg -i "$share/old.deb"
  equal "installed version" "$(dpkg-query -W -f '${Version}' poolnet)" "$old_version"
  equal "installing changed no interface, address or bridge" "$(network)" "$before"
  for unit in poolnet-apply.service poolnet-check.timer; do
    equal "$unit is shipped disabled" "$(systemctl is-enabled "$unit" 2>&1)" disabled
  done
  # The check service has no [Install]: only its timer starts it.
  equal "poolnet-check.service is static" "$(systemctl is-enabled poolnet-check.service 2>&1)" static
  equal "poolnet-apply.service did not run at install" "$(systemctl show -P ActiveState poolnet-apply.service)" inactive
  equal "/var/lib/poolnet is 0700 root" "$(stat -c '%a %U' "$state")" "700 root"
  expect "/etc/poolnet exists for the pool file" test -d /etc/poolnet
  expect "man page, bash and zsh completions installed" test -f /usr/share/man/man8/poolnet.8.gz \
    -a -f /usr/share/bash-completion/completions/poolnet -a -f /usr/share/zsh/vendor-completions/_poolnet
  expect "poolnet --version names the version and source revision" sh -c "poolnet --version | grep -E '^[0-9.]+ \(git [0-9a-f]{7,}'"
  note "poolnet --version: $(poolnet --version)"
  expect "systemd-analyze verify of the units" sh -c \
    '! systemd-analyze verify --man=no /lib/systemd/system/poolnet-apply.service /lib/systemd/system/poolnet-check.service /lib/systemd/system/poolnet-check.timer 2>&1 | grep .'
  # The operator's part: a name for the NIC, the apply unit waits for it, the pool file, enable.
  mkdir -p /etc/systemd/network /etc/systemd/system/poolnet-apply.service.d
  printf '[Match]\nMACAddress=%s\n\n[Link]\nName=sto0\n' "$mac" > /etc/systemd/network/10-sto0.link
  printf '[Unit]\nWants=sys-subsystem-net-devices-sto0.device\nAfter=sys-subsystem-net-devices-sto0.device\n' \
    > /etc/systemd/system/poolnet-apply.service.d/nics.conf
  cp "$share/boot-pool.yaml" /etc/poolnet/pool.yaml
  expect "systemctl enable poolnet-apply.service poolnet-check.timer" systemctl enable poolnet-apply.service poolnet-check.timer
}

stage2() {
  assert_boot_apply 1 "$(sha "$share/boot-pool.yaml")" /etc/poolnet/pool.yaml
  assert_check_unit
}

stage3() {
  local i
  assert_boot_apply 2 "$(sha "$share/boot-pool.yaml")" /etc/poolnet/pool.yaml
  # The operator edits the file and applies it on probation, then does not confirm.
  cp "$share/boot-pool-rejected.yaml" /etc/poolnet/pool.yaml
  poolnet apply --quiet --confirm-within 5s /etc/poolnet/pool.yaml
  equal "apply --confirm-within of the change exits 2" "$?" 2
  expect "the change is live before the deadline" ip link show xenbr-rejected
  for ((i = 0; i < 120; i++)); do
    [[ -e "$state/pending-host.json" ]] || ip link show xenbr-rejected >/dev/null 2>&1 || break
    sleep 1
  done
  expect "the change was reverted at the deadline" sh -c '! ip link show xenbr-rejected 2>/dev/null && ! ip -br addr show sto0 | grep -q 192.0.2.51/'
  expect "the journal records the revert" sh -c "jq -r .result $state/journal.jsonl | grep -q '^reverted'"
}

stage4() {
  local before sums
  # The file applied is the last accepted copy poolnet keeps, not the rejected /etc/poolnet/pool.yaml.
  assert_boot_apply 3 "$(sha "$share/boot-pool.yaml")" "$state/accepted-host.yaml"
  expect "the reverted bridge did not come back at boot" sh -c '! ip link show xenbr-rejected 2>/dev/null'
  expect "the reverted address did not come back at boot" sh -c '! ip -br addr show sto0 | grep -q 192.0.2.51/'
  equal "the pool file still holds the rejected change" "$(sha /etc/poolnet/pool.yaml)" "$(sha "$share/boot-pool-rejected.yaml")"
  poolnet check --quiet /etc/poolnet/pool.yaml
  equal "poolnet check of the rejected file reports drift (exit 2)" "$?" 2
  expect "poolnet-check.service reports drift to the journal and succeeds" systemctl start poolnet-check.service
  expect "the drift lines reached the journal (--syslog)" sh -c 'journalctl -b -t poolnet -o cat --no-pager | grep -q xenbr-rejected'

  # Upgrade in place: the state directory and the network stay exactly as they were.
  before=$(network) sums=$(state_sums)
  expect "the state directory holds the journal before the upgrade" test -s "$state/journal.jsonl"
  note "state files before the upgrade: $(cd "$state" && find . -type f | sort | paste -sd' ' -)"
  expect "dpkg -i of the newer package over the older one" dpkg -i "$share/new.deb"
  equal "upgraded version" "$(dpkg-query -W -f '${Version}' poolnet)" "$new_version"
  equal "the upgrade kept every file in /var/lib/poolnet" "$(state_sums)" "$sums"
  equal "/var/lib/poolnet is still 0700" "$(stat -c %a "$state")" 700
  equal "the upgrade changed no interface, address or bridge" "$(network)" "$before"
  equal "poolnet-apply.service stays enabled across the upgrade" "$(systemctl is-enabled poolnet-apply.service)" enabled

  # Removal leaves the network as it is; purge deletes the state and the enable links.
  expect "dpkg -r poolnet" dpkg -r poolnet
  expect "the binary is gone" test ! -e /usr/sbin/poolnet
  equal "removing changed no interface, address or bridge" "$(network)" "$before"
  equal "the drift-check timer was stopped" "$(systemctl is-active poolnet-check.timer)" inactive
  expect "remove keeps the journal" test -s "$state/journal.jsonl"
  expect "dpkg -P poolnet" dpkg -P poolnet
  expect "purge deletes /var/lib/poolnet" test ! -e "$state"
  expect "purge deletes the enable links" sh -c '! ls /etc/systemd/system/*.wants/poolnet-apply.service /etc/systemd/system/*.wants/poolnet-check.timer 2>/dev/null | grep .'
  equal "purging changed no interface, address or bridge" "$(network)" "$before"
}

"stage$stage"
{
  echo "== systemctl status"; systemctl status --no-pager poolnet-apply.service poolnet-check.service 2>&1
  echo "== poolnet journal"; cat "$state/journal.jsonl" 2>&1
  echo "== ip"; network
  echo "== journalctl -b"; journalctl -b --no-pager -o short-monotonic 2>&1 | tail -n 400
} > "$diag" 2>&1
sync
