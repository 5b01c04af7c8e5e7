import HostState

/// Applies actions to the state model, as the kernel would. Used to prove, without a kernel, that
/// applying a plan converges (planning again is empty) and that a rollback restores the state.
/// `bridgeVLANs` mirrors the reader: VLAN membership is tracked only when the file manages some.
public enum Simulator {
    public static func apply(_ actions: [Action], to state: CurrentState, bridgeVLANs: Bool = false) -> CurrentState {
        actions.reduce(state) { apply($1, to: $0, bridgeVLANs: bridgeVLANs) }
    }

    public static func apply(_ action: Action, to state: CurrentState, bridgeVLANs: Bool = false) -> CurrentState {
        var s = state
        func update(_ name: String, _ body: (inout LinkState) -> Void) {
            if let i = s.links.firstIndex(where: { $0.name == name }) { body(&s.links[i]) }
        }
        switch action {
        case .createLink(let n):
            // Like the kernel: a new device starts from conf/default.
            for value in s.sysctls where value.key.link == "default" { s.sysctls.append(SysctlValue(value.key.on(n.name), value.value)) }
            let index = (s.links.map(\.index).max() ?? 0) + 1
            var options = n.options
            options.setVXLANRemotes([])
            s.links.append(LinkState(index: index, name: n.name, options: options, mtu: n.mtu ?? 1500, up: n.up,
                                     carrier: n.up, alias: n.alias, link: n.link,
                                     bridgeVLANs: bridgeVLANs && n.kind == .bridge ? [BridgeVLAN(vid: 1, pvid: true, untagged: true)] : nil))
        case .deleteLink(let l):
            s.links.removeAll { $0.name == l.name }
            s.addresses.removeAll { $0.link == l.name }
            s.sysctls.removeAll { $0.key.link == l.name }
            for i in s.links.indices where s.links[i].master == l.name { s.links[i].master = nil }
        case let .setMTU(link, mtu, _): update(link) { $0.mtu = mtu }
        case let .setUp(link, up): update(link) { $0.up = up }
        case let .setMaster(link, master, previous):
            // Like the kernel: a bond opens a new member and gives it its MTU; releasing closes it.
            let bond = master.flatMap { m in s.links.first { $0.name == m && $0.kind == .bond } }
            let bridge = master.flatMap { m in s.links.first { $0.name == m && $0.kind == .bridge } }
            let wasBond = previous.flatMap { p in s.links.first { $0.name == p && $0.kind == .bond } } != nil
            update(link) {
                $0.master = master
                if let bond { $0.up = true; $0.mtu = bond.mtu } else if wasBond && master == nil { $0.up = false }
                // A new bridge port starts with the bridge's default PVID; leaving drops its VLANs.
                if !bridgeVLANs {
                    $0.bridgeVLANs = nil
                } else if let bridge, let pvid = bridge.bridge?.defaultPVID {
                    $0.bridgeVLANs = pvid == 0 ? [] : [BridgeVLAN(vid: pvid, pvid: true, untagged: true)]
                } else if master == nil {
                    $0.bridgeVLANs = nil
                }
            }
        case let .setAlias(link, alias, _): update(link) { $0.alias = alias }
        case let .setBridgeOptions(link, options, _): update(link) { if $0.kind == .bridge { $0.options = .bridge(options) } }
        case let .setBondOptions(link, options, _): update(link) { if $0.kind == .bond { $0.options = .bond(options) } }
        case let .setBridgeVLANs(link, vlans, _): update(link) { $0.bridgeVLANs = vlans }
        case let .setVXLANRemotes(link, remotes, _):
            update(link) { $0.options.setVXLANRemotes(remotes) }
        case let .setSysctl(key, value, _):
            s.sysctls.removeAll { $0.key == key }
            s.sysctls.append(SysctlValue(key, value))
        case .addRoute(let r): s.routes.append(r)
        case .removeRoute(let r): s.routes.removeAll { $0 == r }
        case let .addAddress(link, prefix, proto): s.addresses.append(AddressState(link: link, prefix: prefix, proto: proto))
        case let .removeAddress(link, prefix, _): s.addresses.removeAll { $0.link == link && $0.prefix == prefix }
        case .markAddress(let m):
            for i in s.addresses.indices where s.addresses[i].link == m.link && s.addresses[i].prefix == m.prefix { s.addresses[i].proto = m.proto }
            guard var ownership = s.addressOwnership, let index = s.links.first(where: { $0.name == m.link })?.index else { break }
            var recorded = (ownership.recorded ?? []).filter { !($0.link == m.link && $0.prefix == m.prefix) }
            if m.owned { recorded.append(RecordedAddress(ifindex: index, link: m.link, prefix: m.prefix)) }
            ownership.recorded = recorded.sorted()
            s.addressOwnership = ownership
        case .handOver(let h):
            // Only the file: whether the manager lets go shows in its runtime state, which the model has not.
            guard var foreign = s.foreign else { break }
            let dropIn = HandOverDropIn(manager: h.manager, path: h.path, content: h.content)
            if let i = foreign.dropIns.firstIndex(where: { $0.manager == h.manager }) { foreign.dropIns[i] = dropIn } else { foreign.dropIns.append(dropIn) }
            s.foreign = foreign
        case .storage(let step):
            if step.isFibreChannel {
                var fc = s.fc ?? FCState()
                apply(step, to: &fc)
                s.fc = fc
            } else {
                var iscsi = s.iscsi ?? ISCSIState()
                apply(step, to: &iscsi)
                s.iscsi = iscsi
            }
        }
        return s
    }
}
