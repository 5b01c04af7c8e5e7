import HostState
import Topology

extension PlanBuilder {
    /// Storage NICs exist already (physical devices); poolnet sets MTU, addresses and link up.
    mutating func planStorageNICs() {
        let created = createdDevices
        for nic in desired.nics {
            guard let link = live(nic.name) else {
                // A storage role on a VLAN the plan creates: the create carries MTU and up.
                if created.contains(nic.name) {
                    planAddresses(nic.name, nic.addresses, depth: stackDepth(.vlan))
                    continue
                }
                let present = current.links.filter { $0.kind == .device || $0.kind == .veth }.map(\.name).sorted()
                problem("storage_nic \(nic.name)", "not present on host \(desired.host) (present: \(present.joined(separator: ", ")))")
                continue
            }
            let depth = stackDepth(link.kind)
            planMTU(link, to: nic.mtu, depth: depth)
            planUp(link, depth: depth)
            planAddresses(nic.name, nic.addresses, depth: depth)
        }
    }
}
