import HostState
import Topology

extension PlanBuilder {
    /// Per-NIC sysctls of storage NICs. The kernel applies max(conf/all, conf/NIC) to arp_ignore,
    /// arp_announce and rp_filter, so an `all` value above the file's blocks the plan: writing the
    /// NIC's value would change nothing.
    mutating func planSysctls() {
        let values = current.sysctlValues()
        for nic in desired.nics {
            let exists = live(nic.name) != nil
            for (key, want) in nic.sysctls.sorted(by: { $0.key < $1.key }) {
                // A device the plan creates starts from conf/default.
                guard let have = values[exists ? key : key.on("default")] else {
                    if exists || createdDevices.contains(nic.name) {
                        problem("storage_nic \(nic.name)", "cannot read \(key)\(key.family == .ipv6 ? " (IPv6 is off on this host?)" : "")")
                    }
                    continue
                }
                var allValue: Int?
                if key.family == .ipv4, maxOfAllSysctls.contains(key.name), let all = values[key.on("all")] {
                    let effective = max(all, want)
                    // arp_ignore 2 is stricter than 1 and still ends ARP flux.
                    if effective != want && !(key.name == "arp_ignore" && want == 1 && effective == 2) {
                        problem("storage_nic \(nic.name)", "effective \(key.name) would be \(effective), not \(want): the kernel uses max(all, \(nic.name)) and \(key.on("all")) is \(all); lower it to \(want) or less")
                        continue
                    }
                    allValue = all
                }
                if have != want {
                    // Spelled only for a step (it was built for each of a storage host's 3,000 keys).
                    let reason = allValue.map { "effective \(max($0, have)) → \(max($0, want))" }
                    add(.sysctls, .setSysctl(key: key, value: want, previous: have), depth: 0, reason: reason)
                }
            }
        }
    }

    /// Storage traffic is never routed: a default route through a storage NIC is removed.
    mutating func planRoutes() {
        let storage = Set(desired.nics.map(\.name))
        for route in current.routes where route.isDefault && storage.contains(route.link) {
            add(.removeAddresses, .removeRoute(route), depth: 0, disruptive: true,
                reason: "no default route via a storage NIC")
        }
    }
}
