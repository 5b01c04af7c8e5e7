import HostState
import Topology

extension PlanBuilder {
    var addressOwnership: AddressOwnership { current.addressOwnership ?? AddressOwnership() }

    /// A link this pool created or marked, or that its file declares.
    func isPoolLink(_ link: LinkState) -> Bool {
        owned(link) || link.alias == portAlias || declaredLinks.contains(link.name)
    }

    /// Whether this pool added `address` (see `AddressOwnership.isPools`).
    func ownsAddress(_ address: AddressState, on link: LinkState) -> Bool {
        addressOwnership.isPools(address, on: link, poolLink: isPoolLink(link))
    }

    /// Why `--adopt` refuses a declared address another pool's record holds, naming that pool as
    /// the record does (iSCSI ifaces and vports are refused the same way).
    func otherPoolsAddressRefusal(_ address: AddressState, link name: String) -> String {
        let pool = live(name).flatMap { addressOwnership.otherPoolName(address, on: $0) }
        return "belongs to \(pool.map { "pool \($0)" } ?? "another pool") on this host (its ownership record holds it); --adopt never takes "
            + "another pool's address: drop it from this file, or from \(pool.map { "pool \($0)" } ?? "the other pool")'s first"
    }

    /// Before a plan removes an IPv4 address from a link that holds other IPv4 addresses of the
    /// same subnet (anyone's), and the kernel would delete those with it (effective
    /// promote_secondaries 0), turn promote_secondaries on for that link first. Its inverse turns
    /// it off again after the rollback has put the address back.
    mutating func planPromoteSecondaries() {
        let values = current.sysctlValues()
        var done = Set<String>()
        for step in steps {
            guard case let .removeAddress(link, prefix, _) = step.change.action, prefix.family == .ipv4, !done.contains(link) else { continue }
            let others = (addresses[link] ?? []).filter { $0.prefix != prefix && PromoteSecondaries.sameSubnet($0.prefix, prefix) }
            guard !others.isEmpty else { continue }
            let key = PromoteSecondaries.key(link)
            // Not read means not set: the engine reads these for every link with two addresses in a subnet.
            let all = values[key.on("all")] ?? 0, have = values[key] ?? 0
            guard all == 0 && have == 0 else { continue }
            done.insert(link)
            add(.removeAddresses, .setSysctl(key: key, value: 1, previous: have), depth: -1,
                reason: "else the kernel deletes \(others.map(\.prefix.description).sorted().joined(separator: ", ")) with \(prefix)")
        }
    }
}

extension Planner {
    /// The live addresses that are `desired.pool`'s: what its record must hold after an apply.
    public static func poolAddresses(desired: DesiredState, current: CurrentState) -> [AddressState] {
        PlanBuilder(desired: desired, current: current).poolAddresses()
    }
}

extension PlanBuilder {
    /// The addresses on the live links that are the pool's (see `Planner.poolAddresses`).
    func poolAddresses() -> [AddressState] {
        current.links.flatMap { link in (addresses[link.name] ?? []).filter { ownsAddress($0, on: link) } }
    }
}
