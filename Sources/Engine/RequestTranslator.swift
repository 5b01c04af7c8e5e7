import HostState
import Netlink
import Storage
import Planner

/// One thing the executor does: a netlink request (batched with its neighbours) or a sysctl write.
enum Step {
    case netlink(NetlinkRequest)
    case sysctl(SysctlKey, Int, label: String)
    /// iSCSI and multipath: run by the storage backend.
    case storage(StorageAction, label: String)
    /// A hand-over drop-in for another network manager.
    case handOver(HandOverAction, label: String)
    /// An address enters or leaves the pool's ownership record (`apply --adopt` and its inverse).
    case addressRecord(RecordedAddress, owned: Bool, label: String)
}

/// Turns planned actions into netlink requests, resolving names to ifindexes. Links the plan creates
/// get an index chosen here (above every index in use), so that enslaving a port to a bridge created
/// in the same batch needs no extra read.
struct RequestTranslator {
    private var indexes: [String: Int32]
    private var nextIndex: Int32
    /// Bridges, so that their own VLANs go with BRIDGE_FLAGS_SELF.
    private var isBridge: Set<String>
    /// The remote VTEPs each VXLAN has, where the read took them: a change of remotes removes only
    /// those there and adds only those missing, so that undoing a change of which part never
    /// reached the kernel does not fail on what it never added (the kernel answers ENOENT).
    private var liveRemotes: [String: Set<IPPrefix>]

    init(state: CurrentState) {
        isBridge = Set(state.links.filter { $0.kind == .bridge }.map(\.name))
        liveRemotes = Dictionary(state.links.compactMap { link in link.vxlan?.remotes.map { (link.name, Set($0.map(Self.remoteAddress))) } },
                                 uniquingKeysWith: { a, _ in a })
        indexes = Dictionary(state.links.map { ($0.name, $0.index) }, uniquingKeysWith: { a, _ in a })
        nextIndex = (state.links.map(\.index).max() ?? 0) + 1
    }

    /// The ifindex every link will have after `changes` run (new links get theirs as `steps`
    /// gives it), for recording addresses before the kernel adds them.
    func indexes(after changes: [Change]) -> [String: Int32] {
        var indexes = self.indexes
        var next = nextIndex
        for change in changes {
            switch change.action {
            case .createLink(let n):
                indexes[n.name] = next
                next += 1
            case .deleteLink(let l): indexes[l.name] = nil
            default: break
            }
        }
        return indexes
    }

    static func remoteAddress(_ text: String) -> IPPrefix { IPPrefix(text, defaultPrefix: text.utf8.contains(UInt8(ascii: ":")) ? 128 : 32)! }

    struct MissingLink: Error, CustomStringConvertible {
        let name: String
        var description: String { "interface \(name) does not exist" }
    }

    private func index(_ name: String) throws -> Int32 {
        guard let i = indexes[name] else { throw MissingLink(name: name) }
        return i
    }

    /// A run of link deletions as one group delete: each link moves to `group`, then the group is
    /// deleted; returns nil when a link is unknown. The caller checks that no other link uses `group`.
    mutating func groupDelete(_ links: [LinkState], group: UInt32) -> (moves: [NetlinkRequest], delete: NetlinkRequest, restores: [NetlinkRequest])? {
        var moves: [NetlinkRequest] = [], restores: [NetlinkRequest] = []
        for link in links {
            guard let i = indexes[link.name] else { return nil }
            moves.append(NetlinkRequest(.changeLink(index: i, group: group), label: "- \(link.kind) \(link.name) (into the scratch group)"))
            restores.append(NetlinkRequest(.changeLink(index: i, group: link.group), label: "restore group of \(link.name)"))
        }
        for link in links { indexes[link.name] = nil; liveRemotes[link.name] = nil }
        return (moves, NetlinkRequest(.deleteGroup(group), label: "- \(links.count) links (group delete)"), restores)
    }

    /// The requests for one change. A new link takes up to three, in this order: create (down);
    /// then alias, MTU and addrgenmode; then up. The kernel ignores IFLA_IFALIAS and refuses
    /// IFLA_AF_SPEC on create, applies flags before AF_SPEC within one message, and only an MTU set
    /// through a change pins a bridge's MTU (otherwise it follows its smallest port, so one 1500-byte
    /// guest vif would pull a jumbo bridge down).
    mutating func steps(_ change: Change) throws -> [Step] {
        if case let .setSysctl(key, value, _) = change.action {
            return [.sysctl(key, value, label: "\(change.action.symbol) \(change.action.summary)")]
        }
        if case .storage(let step) = change.action { return [.storage(step, label: "\(change.action.symbol) \(change.action.summary)")] }
        if case .handOver(let step) = change.action { return [.handOver(step, label: "\(change.action.symbol) \(change.action.summary)")] }
        if case .markAddress(let m) = change.action {
            // Adopting records first, releasing records last: between the two, the address is not
            // the pool's in either mode (the kernel mode needs both the protocol and the entry).
            let label = "\(change.action.symbol) \(change.action.summary)"
            // Flagged where a re-mark is sent: if the kernel keeps the old protocol (IPv4 on Linux
            // 6.1), the entry alone makes the address the pool's; after the apply `settle` keeps
            // the flag only where the protocol did not change.
            let record = Step.addressRecord(RecordedAddress(ifindex: try index(m.link), link: m.link, prefix: m.prefix, adopted: m.remarks),
                                            owned: m.owned, label: label)
            let remark = m.remarks ? [Step.netlink(NetlinkRequest(.remarkAddress(index: try index(m.link), prefix: m.prefix, proto: m.proto,
                                                                                 details: m.details), label: label))] : []
            return m.owned ? [record] + remark : remark + [record]
        }
        return try translate(change).map(Step.netlink)
    }

    mutating func translate(_ change: Change) throws -> [NetlinkRequest] {
        let label = "\(change.action.symbol) \(change.action.summary)"
        if case .createLink(let n) = change.action {
            let index = nextIndex
            nextIndex += 1
            indexes[n.name] = index
            liveRemotes[n.name] = nil  // a new link: none of the old one's
            if n.kind == .bridge { isBridge.insert(n.name) }
            var data = NetlinkRequest.KindData(creating: n.options)
            if case let .vxlan(vni, local, port, _)? = data, let device = n.options.vxlan?.device {
                data = .vxlan(vni: vni, local: local, port: port, device: try self.index(device))
            }
            var requests = [NetlinkRequest(.createLink(index: index, name: n.name, kind: n.kind.kernelKind ?? "",
                                                       link: try n.link.map(self.index), data: data), label: label)]
            if n.alias != nil || n.mtu != nil || !n.ipv6LinkLocal {
                requests.append(NetlinkRequest(.changeLink(index: index, mtu: n.mtu, alias: n.alias,
                                                           noIPv6LinkLocal: !n.ipv6LinkLocal), label: label))
            }
            if n.up { requests.append(NetlinkRequest(.changeLink(index: index, up: true), label: label)) }
            return requests
        }
        if case let .setVXLANRemotes(link, remotes, previous) = change.action {
            let i = try index(link)
            let live = liveRemotes[link]
            let remove = previous.filter { !remotes.contains($0) }.map(Self.remoteAddress).filter { live?.contains($0) ?? true }
            let add = remotes.filter { !previous.contains($0) }.map(Self.remoteAddress).filter { !(live?.contains($0) ?? false) }
            if live != nil { liveRemotes[link] = Set(remotes.map(Self.remoteAddress)) }
            return remove.map { NetlinkRequest(.removeVXLANRemote(index: i, remote: $0), label: label) }
                + add.map { NetlinkRequest(.addVXLANRemote(index: i, remote: $0), label: label) }
        }
        if case let .setBridgeVLANs(link, vlans, previous) = change.action {
            // Deletions first (a PVID may move), then additions and flag changes.
            let i = try index(link)
            let itself = isBridge.contains(link)
            let wanted = Dictionary(vlans.map { ($0.vid, $0) }, uniquingKeysWith: { a, _ in a })
            let had = Dictionary(previous.map { ($0.vid, $0) }, uniquingKeysWith: { a, _ in a })
            let remove = previous.filter { wanted[$0.vid] == nil }
            let addOrChange = vlans.filter { had[$0.vid] != $0 }
            var requests: [NetlinkRequest] = []
            if !remove.isEmpty { requests.append(NetlinkRequest(.removeBridgeVLANs(index: i, vlans: remove, bridgeItself: itself), label: label)) }
            if !addOrChange.isEmpty { requests.append(NetlinkRequest(.addBridgeVLANs(index: i, vlans: addOrChange, bridgeItself: itself), label: label)) }
            return requests
        }
        return [try translateSingle(change, label: label)]
    }

    private mutating func translateSingle(_ change: Change, label: String) throws -> NetlinkRequest {
        switch change.action {
        case .createLink:
            preconditionFailure("handled by translate(_:)")
        case .deleteLink(let s):
            let i = try index(s.name)
            indexes[s.name] = nil
            liveRemotes[s.name] = nil
            return NetlinkRequest(.deleteLink(index: i), label: label)
        case let .setMTU(link, mtu, _):
            return NetlinkRequest(.changeLink(index: try index(link), mtu: mtu), label: label)
        case let .setUp(link, up):
            return NetlinkRequest(.changeLink(index: try index(link), up: up), label: label)
        case let .setMaster(link, master, _):
            return NetlinkRequest(.changeLink(index: try index(link), master: try master.map(index) ?? 0), label: label)
        case let .setAlias(link, alias, _):
            // An empty IFLA_IFALIAS clears the alias.
            return NetlinkRequest(.changeLink(index: try index(link), alias: alias ?? ""), label: label)
        case let .setBridgeOptions(link, options, previous):
            // Only what changes: kernels without VLAN filtering refuse the attribute even as 0.
            return NetlinkRequest(.changeLink(index: try index(link), kind: "bridge",
                                              data: .bridge(stp: options.stp != previous.stp ? options.stp : nil,
                                                            vlanFiltering: options.vlanFiltering != previous.vlanFiltering ? options.vlanFiltering : nil)),
                                  label: label)
        case let .setBondOptions(link, options, previous):
            // Only what changes; mode and lacp_rate never change in place (the planner replaces).
            let data = BondData(miimon: options.miimon != previous.miimon ? options.miimon : nil,
                                xmitHashPolicy: options.xmitHashPolicy != previous.xmitHashPolicy ? options.xmitHashPolicy : nil,
                                primaryIndex: options.primary != previous.primary ? try options.primary.map(index) ?? 0 : nil)
            return NetlinkRequest(.changeLink(index: try index(link), kind: "bond", data: .bond(data)), label: label)
        case .setBridgeVLANs, .setSysctl, .setVXLANRemotes, .storage, .handOver, .markAddress:
            preconditionFailure("handled by steps(_:) and translate(_:)")
        case .addRoute(let route):
            return NetlinkRequest(.addRoute(route, link: try index(route.link)), label: label)
        case .removeRoute(let route):
            return NetlinkRequest(.removeRoute(route, link: try index(route.link)), label: label)
        case let .addAddress(link, prefix, proto):
            return NetlinkRequest(.addAddress(index: try index(link), prefix: prefix, proto: proto), label: label)
        case let .removeAddress(link, prefix, _):
            return NetlinkRequest(.removeAddress(index: try index(link), prefix: prefix), label: label)
        }
    }
}
