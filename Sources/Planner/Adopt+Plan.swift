import HostState
import Topology

/// A declared object that exists without poolnet's mark: matched by `plan`, but never pruned,
/// because poolnet prunes only what carries its mark.
public struct UnownedObject: Hashable, Sendable, CustomStringConvertible {
    public var object: String
    public var link: String
    /// The mark adoption writes: the link mark, or the port mark for an existing device enslaved
    /// to a declared bridge (unused for an address).
    public var mark: String
    public var alias: String?
    /// A declared address found on its link without this pool's mark or record entry.
    public var address: AddressState?
    /// For an iSCSI iface or an NPIV vport made by hand: the step that enters it in poolnet's
    /// ownership record (their only mark: iscsiadm and sysfs have no owner field).
    public var record: StorageAction?

    public var description: String { object }
}

extension Planner {
    /// The declared objects poolnet does not own on this host (what `apply --adopt` would mark).
    public static func unowned(desired: DesiredState, current: CurrentState) -> [UnownedObject] {
        PlanBuilder(desired: desired, current: current).unowned()
    }
}

extension PlanBuilder {
    /// Declared links that exist as the file describes them but carry no poolnet mark, and
    /// existing devices enslaved to a declared bridge without the port mark. Links marked by
    /// another pool are never taken.
    func unowned() -> [UnownedObject] {
        var result: [UnownedObject] = []
        func foreign(_ alias: String?) -> Bool { (alias ?? "").hasPrefix("poolnet:") }
        func consider(_ kind: String, _ name: String, matches: (LinkState) -> Bool) {
            guard let link = live(name), matches(link), link.alias != linkAlias, !foreign(link.alias) else { return }
            result.append(UnownedObject(object: "\(kind) \(name)", link: name, mark: linkAlias, alias: link.alias))
        }
        for bond in desired.bonds { consider("bond", bond.name) { $0.kind == .bond } }
        for vlan in desired.vlans { consider("vlan", vlan.name) { vlan.keepsIdentity(of: $0) } }
        for vxlan in desired.vxlans {
            consider("vxlan", vxlan.name) { vxlan.keepsIdentity(of: $0) }
        }
        for bridge in desired.bridges { consider("bridge", bridge.name) { $0.kind == .bridge } }
        let created = createdDevices
        for bridge in desired.bridges {
            for name in bridge.ports where !created.contains(name) {
                guard let port = live(name), port.master == bridge.name, port.alias != portAlias, !foreign(port.alias) else { continue }
                result.append(UnownedObject(object: "port \(name) of bridge \(bridge.name)", link: name, mark: portAlias, alias: port.alias))
            }
        }
        return result + unownedAddresses().unowned + unownedStorage()
    }

    /// Declared addresses present on their link that this pool does not own: those no other pool
    /// owns either (`unowned`, adoptable), and those another pool's record holds (`otherPools`,
    /// never taken).
    func unownedAddresses() -> (unowned: [UnownedObject], otherPools: [(link: String, address: AddressState)]) {
        var unowned: [UnownedObject] = []
        var others: [(link: String, address: AddressState)] = []
        let ownership = addressOwnership
        for (_, name, declared) in desired.allAddresses {
            guard let link = live(name), let address = liveAddresses(name).first(where: { $0.prefix == declared.prefix }),
                  !ownsAddress(address, on: link) else { continue }
            if ownership.isOtherPools(address, on: link) {
                others.append((name, address))
            } else {
                unowned.append(UnownedObject(object: "address \(address.prefix) on \(name)", link: name, mark: "", address: address))
            }
        }
        return (unowned, others)
    }

    /// `apply --adopt`: each unowned declared object gets poolnet's mark, a step with its inverse
    /// (the alias it had), so that a later removal from the file prunes it like one poolnet made.
    /// An address is marked with the pool's protocol where the kernel keeps IFA_PROTO (and entered
    /// in the pool's record in both modes); one another pool owns is refused.
    mutating func planAdoption() {
        let links = self.links
        let kernelMarks = addressOwnership.mode == .kernelMark
        for object in unowned() {
            let depth = links[object.link].map { stackDepth($0.kind) } ?? 0
            if let record = object.record {
                add(.storageConfig, .storage(record), depth: 0,
                    reason: "entered in poolnet's ownership record, nothing else changes; pruned when the file drops it")
                continue
            }
            if let address = object.address {
                let proto = kernelMarks ? Ownership.addressProtocol : address.proto
                let mark = AddressMark(link: object.link, prefix: address.prefix, proto: proto, previous: address.proto, owned: true,
                                       details: address.details ?? AddressDetails())
                add(.linkOptions, .markAddress(mark), depth: depth,
                    reason: (mark.remarks ? "protocol \(address.proto) → \(proto), nothing else changes" : "entered in the pool's record")
                        + "; pruned when the file drops it")
                continue
            }
            add(.linkOptions, .setAlias(link: object.link, alias: object.mark, previous: object.alias), depth: depth,
                reason: "adopt \(object.object): poolnet's from now on, pruned when the file drops it")
        }
        for (link, address) in unownedAddresses().otherPools {
            problem("address \(address.prefix) on \(link)", otherPoolsAddressRefusal(address, link: link))
        }

    }
}
