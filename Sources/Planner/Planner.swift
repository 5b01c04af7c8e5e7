import HostState
import Topology

/// The planner: pure functions from (desired, current) to an ordered Plan. No I/O, no C.
public enum Planner {
    /// Equivalent of `terraform plan` for one host. `check` reports the same changes as drift.
    /// `force`: take paths away from LUNs that are in use (disruptive iSCSI steps).
    /// `adopt`: mark declared objects that exist without poolnet's marks (Adopt+Plan.swift).
    /// `listUnowned`: also find those objects for `Plan.unowned` (only `plan` prints them; apply's
    /// plans and `check` skip the walk, ~15 % of a plan at 2,000 objects).
    public static func plan(desired: DesiredState, current: CurrentState, force: Bool = false, adopt: Bool = false,
                            listUnowned: Bool = true) -> Plan {
        planKeepingBuilder(desired: desired, current: current, force: force, adopt: adopt, listUnowned: listUnowned).plan
    }

    /// `plan`, with the addresses on the live links that are the pool's (`poolAddresses`) as the
    /// same builder sees them: apply settles its ownership record with these instead of building
    /// the planner's indexes of 1,000s of links a third time.
    public static func planWithPoolAddresses(desired: DesiredState, current: CurrentState, force: Bool = false,
                                             adopt: Bool = false) -> (plan: Plan, poolAddresses: [AddressState]) {
        let (plan, builder) = planKeepingBuilder(desired: desired, current: current, force: force, adopt: adopt, listUnowned: false)
        return (plan, builder.poolAddresses())
    }

    static func planKeepingBuilder(desired: DesiredState, current: CurrentState, force: Bool, adopt: Bool,
                                   listUnowned: Bool) -> (plan: Plan, builder: PlanBuilder) {
        var builder = PlanBuilder(desired: desired, current: current)
        builder.checkStackedLinks()
        builder.checkLiveMTUs()
        builder.planPrune()
        builder.planReplacements()
        for kind in linkPlanOrder { kind.plan(&builder) }
        builder.planStorageNICs()
        builder.planSysctls()
        builder.planRoutes()
        builder.planISCSI(force: force)
        builder.planFC(force: force)
        builder.planPromoteSecondaries()
        if adopt { builder.planAdoption() }
        let foreign = builder.planCoexist()
        let unowned = adopt || !listUnowned ? [] : builder.unowned()
        var plan = builder.finish()
        plan.foreign = foreign
        plan.unowned = unowned
        return (plan, builder)
    }
}

/// Steps run in phases; inside a phase, parents before children (or the reverse for teardown).
/// New links come after the MTU phases: they carry their MTU, which may need the parent's raised.
/// Addresses go on before links come up: a link that comes up with no IPv4 address makes the
/// kernel's IGMP source selection (inet_select_addr) scan every link of the namespace, which made
/// creating N bridges quadratic.
enum Phase: Int, Comparable {
    case handOver, storageTeardown, releasePorts, removeAddresses, deleteLinks, lowerMTU, raiseMTU, createLinks,
         linkOptions, memberDown, enslave, memberOptions, portVLANs, forwarding, sysctls, addAddresses, linkUp,
         storageConfig, storageLogin, storageMaps, handBack

    /// Teardown and MTU decreases go from the top of the stack down.
    var topDown: Bool { self == .deleteLinks || self == .lowerMTU || self == .releasePorts }

    static func < (a: Phase, b: Phase) -> Bool { a.rawValue < b.rawValue }
}

struct PlanBuilder {
    let desired: DesiredState
    let current: CurrentState
    let links: [String: LinkState]
    let addresses: [String: [AddressState]]
    let linkAlias: String
    let portAlias: String
    /// Port name → the bridge the file puts it in.
    let declaredPorts: [String: String]
    let declaredLinks: Set<String>
    /// The devices the file creates (bridges, VLANs, bonds, VXLANs), built once: per port or NIC it
    /// made a create plan quadratic.
    let createdDevices: Set<String>
    /// Links poolnet created that the file no longer declares.
    let prunedLinks: Set<String>
    /// Links poolnet created whose identity (kind, VLAN id, parent) differs from the file: they are
    /// deleted and created again, and the rest of the plan treats them as absent.
    let replaced: [String: LinkState]

    private(set) var steps: [(phase: Phase, depth: Int, seq: Int, change: Change)] = []
    /// Links already planned to come up, so a parent shared by several VLANs comes up once.
    private var upPlanned = Set<String>()
    private(set) var problems: [PlanProblem] = []

    init(desired: DesiredState, current: CurrentState) {
        self.desired = desired
        self.current = current
        links = current.linksByName()
        addresses = current.addressesByLink()
        linkAlias = Ownership.linkAlias(pool: desired.pool)
        portAlias = Ownership.portAlias(pool: desired.pool)
        var ports: [String: String] = [:]
        for bridge in desired.bridges { for port in bridge.ports { ports[port] = bridge.name } }
        declaredPorts = ports
        createdDevices = desired.createdDevices
        let declared = Set(desired.nics.map(\.name)).union(createdDevices)
        declaredLinks = declared
        let alias = linkAlias
        prunedLinks = Set(current.links.filter { $0.alias == alias && !declared.contains($0.name) }.map(\.name))
        var replace: [String: LinkState] = [:]
        for wanted in desired.links.all {
            if let link = links[wanted.name], link.alias == alias, !wanted.keepsIdentity(of: link) { replace[link.name] = link }
        }
        // The kernel deletes a VLAN with its parent: links stacked on a replaced link are replaced
        // too (top-down, so rollback can rebuild them).
        var grew = true
        while grew {
            grew = false
            for link in current.links where replace[link.name] == nil && declared.contains(link.name) {
                // (A VLAN's parent is a NIC or a bond the file declares: validation refuses a VLAN on a
                // bridge or a VXLAN, which stand above or beside it and would be created after it.)
                if let lower = link.link, replace[lower] != nil, link.alias == alias {
                    replace[link.name] = link
                    grew = true
                }
            }
        }
        replaced = replace
    }

    /// Links the kernel would destroy with a lower device this plan deletes, but that poolnet does
    /// not own or the file does not declare: deleting would silently take them along.
    mutating func checkStackedLinks() {
        let deleted = prunedLinks.union(replaced.keys)
        for link in current.links where !deleted.contains(link.name) {
            guard let lower = link.link, deleted.contains(lower) else { continue }
            problem("\(link.kind) \(link.name)", "sits on \(lower), which this plan deletes, and \(owned(link) ? "is not in the file" : "was not created by poolnet"); remove it first or declare it")
        }
    }

    /// What differs between a link and the file, when it must be replaced.
    func replacementReason(_ link: LinkState) -> String {
        if let lower = link.link, let parent = replaced[lower], parent.name != link.name,
           desired.links.named(link.name)?.keepsIdentity(of: link) ?? false {
            return "replaced with \(lower) under it"
        }
        if let wanted = desired.links.named(link.name), let kind = type(of: wanted).kind.planned,
           let reason = kind.replacementReason(link, desired: desired) { return reason }
        return "replaced: a \(link.kind) becomes a bridge"
    }

    /// The master a link really keeps: none when its master is being pruned or replaced (those
    /// ports are released explicitly first).
    func liveMaster(_ link: LinkState) -> String? {
        guard let master = link.master, !prunedLinks.contains(master), replaced[master] == nil else { return nil }
        return master
    }

    mutating func add(_ phase: Phase, _ action: Action, depth: Int, disruptive: Bool = false, reason: String? = nil) {
        steps.append((phase, depth, steps.count, Change(action, disruptive: disruptive, reason: reason)))
    }

    mutating func problem(_ object: String, _ message: String) {
        problems.append(PlanProblem(object: object, message: message))
    }

    func owned(_ link: LinkState) -> Bool { link.alias == linkAlias }

    /// The live link, or nil when it is absent or about to be replaced.
    func live(_ name: String) -> LinkState? { replaced[name] == nil ? links[name] : nil }

    /// Live addresses of a link (none for a link about to be replaced).
    func liveAddresses(_ name: String) -> [AddressState] { replaced[name] == nil ? addresses[name] ?? [] : [] }

    /// MTU change in the phase that keeps parents ≥ children at every step.
    mutating func planMTU(_ link: LinkState, to mtu: UInt32?, depth: Int) {
        guard let mtu, mtu != link.mtu else { return }
        add(mtu < link.mtu ? .lowerMTU : .raiseMTU, .setMTU(link: link.name, mtu: mtu, previous: link.mtu), depth: depth)
    }

    /// A new link is created down and brought up in the up phase, after the links under it
    /// (a VLAN on a parent that is still down gets ENETDOWN).
    mutating func create(_ link: NewLink, depth: Int, disruptive: Bool = false, reason: String? = nil) {
        var down = link
        down.up = false
        add(.createLinks, .createLink(down), depth: depth, disruptive: disruptive, reason: reason)
        if link.up { add(.linkUp, .setUp(link: link.name, up: true), depth: depth) }
    }

    mutating func planUp(_ link: LinkState, depth: Int) {
        if !link.up, upPlanned.insert(link.name).inserted { add(.linkUp, .setUp(link: link.name, up: true), depth: depth) }
    }

    /// Adds declared addresses that are missing; removals of stale ones are planned by the prune pass.
    mutating func planAddresses(_ link: String, _ wanted: [DesiredAddress], depth: Int) {
        let present = Set(liveAddresses(link).map(\.prefix))
        for address in wanted where !present.contains(address.prefix) {
            add(.addAddresses, .addAddress(link: link, prefix: address.prefix, proto: Ownership.addressProtocol), depth: depth)
        }
    }

    func finish() -> Plan {
        // Sorts positions, not the steps: moving whole changes around dominated planning at 1,000s of links.
        let keys = steps.map { (phase: $0.phase, depth: $0.depth, seq: $0.seq) }
        let order = keys.indices.sorted { i, j in
            let a = keys[i], b = keys[j]
            if a.phase != b.phase { return a.phase < b.phase }
            if a.depth != b.depth { return a.phase.topDown ? a.depth > b.depth : a.depth < b.depth }
            return a.seq < b.seq
        }
        return Plan(pool: desired.pool, host: desired.host, changes: order.map { steps[$0].change }, problems: problems)
    }
}
