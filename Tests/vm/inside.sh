#!/usr/bin/env bash
# Runs inside the VM (Debian kernel, this machine's root read-only): loads the modules the tests
# need and runs the prebuilt test binary on the kernel-feature tests and the namespace tier.
# A skip here is a failure: every feature must exist in this kernel.
set -uo pipefail
bin=$1
modprobe -a 8021q bonding dummy bridge veth vxlan iscsi_tcp dm_multipath dm_round_robin scsi_transport_fc libfc libfcoe fcoe || { echo "vm: modprobe failed"; exit 1; }
# The storage daemons of this throwaway "host" (no systemd in the VM). /etc is a scratch overlay.
mkdir -p /run/lock /etc/iscsi
iscsid || { echo "vm: iscsid did not start"; exit 1; }
multipathd || { echo "vm: multipathd did not start"; exit 1; }
export POOLNET_VM=1
selectors=${POOLNET_VM_TESTS:-$("$bin" --list-tests | grep -E '^(KernelTests|NamespaceTests)\.' | cut -d/ -f1 | sort -u | paste -sd, -)}
if [[ $selectors == KERNEL_AND_OWNERSHIP ]]; then
  selectors=$("$bin" --list-tests | grep -E '^(KernelTests\.|NamespaceTests\.(TwoPoolsTests|AddressProtocolProbeTests|AddressAdoptionTests|SecondaryAddressTests)/)' \
    | cut -d/ -f1 | sort -u | paste -sd, -)
fi
log=/tmp/vm-tests.log
"$bin" "$selectors" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
line=$(scripts/summarize-xctest vm "$log")
echo "$line"
if ! grep -q " 0 skipped$" <<<"$line"; then echo "vm: tests were skipped inside the VM; that is a failure"; exit 1; fi
# A selector that names no test (a suite without its module, "KernelTests.X") runs nothing and
# would pass: that is a failure too.
if grep -q "^vm: 0 passed, 0 failed" <<<"$line"; then echo "vm: no test matched \"$selectors\" (selectors are Module.Suite[/test])"; exit 1; fi
exit "$status"
