import HostState

extension Action {
    /// `+` create, `~` change, `-` delete: the plan reads like a diff.
    public var symbol: Character {
        switch self {
        case .createLink, .addAddress, .addRoute: return "+"
        case .deleteLink, .removeAddress, .removeRoute: return "-"
        case .setMaster(_, let master, _): return master == nil ? "-" : "~"
        case .storage(let s): return s.symbol
        case .handOver(let h): return h.symbol
        default: return "~"
        }
    }

    /// One line for humans, e.g. `eth1: mtu 1500 → 9000`.
    public var summary: String {
        switch self {
        case .createLink(let n):
            var details: [String] = []
            if let id = n.vlanID { details.append("id \(id)") }
            if let link = n.link { details.append("on \(link)") }
            if let mtu = n.mtu { details.append("mtu \(mtu)") }
            if let b = n.bridge {
                details.append("stp \(b.stp ? "on" : "off")")
                if b.vlanFiltering { details.append("vlan_filtering on") }
            }
            if let b = n.bond { details.append(b.summary) }
            if let v = n.vxlan {
                details.append("vni \(v.vni)")
                if let local = v.local { details.append("local \(local)") }
                if let device = v.device { details.append("dev \(device)") }
                if v.port != 4789 { details.append("port \(v.port)") }
            }
            if n.up { details.append("up") }
            return "\(n.kind) \(n.name)" + (details.isEmpty ? "" : " (\(details.joined(separator: ", ")))")
        case .deleteLink(let s):
            return "\(s.kind) \(s.name)"
        case let .setMTU(link, mtu, previous): return "\(link): mtu \(previous) → \(mtu)"
        case let .setUp(link, up): return "\(link): link \(up ? "up" : "down")"
        case let .setMaster(link, master, previous):
            switch (previous, master) {
            case (nil, let m?): return "\(link): port of \(m)"
            case (let p?, nil): return "\(link): no longer a port of \(p)"
            case (let p?, let m?): return "\(link): port of \(p) → port of \(m)"
            case (nil, nil): return "\(link): no master"
            }
        case let .setAlias(link, alias, previous):
            return "\(link): alias \(previous.map { "\"\($0)\"" } ?? "none") → \(alias.map { "\"\($0)\"" } ?? "none")"
        case let .setBridgeOptions(link, options, previous):
            var parts: [String] = []
            if options.stp != previous.stp { parts.append("stp \(previous.stp ? "on" : "off") → \(options.stp ? "on" : "off")") }
            if options.vlanFiltering != previous.vlanFiltering {
                parts.append("vlan_filtering \(previous.vlanFiltering ? "on" : "off") → \(options.vlanFiltering ? "on" : "off")")
            }
            return "\(link): " + parts.joined(separator: ", ")
        case let .setVXLANRemotes(link, remotes, previous):
            return "\(link): remote VTEPs \(previous.isEmpty ? "none" : previous.joined(separator: " ")) → \(remotes.isEmpty ? "none" : remotes.joined(separator: " "))"
        case let .setBridgeVLANs(link, vlans, previous):
            return "\(link): vlans \(previous.summary) → \(vlans.summary)"
        case let .setBondOptions(link, options, previous):
            return "\(link): " + options.changes(from: previous)
        case let .setSysctl(key, value, previous): return "\(key.link): \(key) \(previous) → \(value)"
        case .addRoute(let r), .removeRoute(let r):
            return "\(r.link): route \(r.isDefault ? "default" : r.destination.description)\(r.gateway.map { " via \($0)" } ?? "")\(r.table == 254 ? "" : " table \(r.table)")"
        case let .addAddress(link, prefix, _): return "\(link): address \(prefix)"
        case let .removeAddress(link, prefix, _): return "\(link): address \(prefix)"
        case .markAddress(let m): return "\(m.link): \(m.owned ? "adopt" : "release") address \(m.prefix)"
        case .storage(let s): return s.summary
        case .handOver(let h): return h.summary
        }
    }
}

extension Change {
    public var line: String {
        var text = "\(action.symbol) \(action.summary)"
        if let reason { text += " (\(reason))" }
        return text + (disruptive ? "  [disruptive]" : "")
    }
}

extension Plan {
    /// What `plan` prints: the host on top, then one diff-like line per change.
    public func renderPlan() -> String {
        var out = "host \(host) (pool \(pool)): "
        if isEmpty { return out + "no changes; the host matches the file.\n" + renderForeign() + renderHealth() }
        out += "\(changes.count) change\(changes.count == 1 ? "" : "s")"
        if !problems.isEmpty { out += ", \(problems.count) problem\(problems.count == 1 ? " that blocks" : "s that block") apply" }
        out += "\n"
        for problem in problems { out += "  ! \(problem)\n" }
        out += renderForeign()
        for change in changes { out += "  \(change.line)\n" }
        return out + renderHealth()
    }

    /// Devices another manager claims that do not block (handed over, or allowed): one `!` line each.
    public func renderForeign() -> String {
        foreign.filter { $0.resolution != .blocks }.map {
            "  ! \($0.line): \($0.resolution == .handedOver ? "poolnet hands it over (coexist: \($0.manager.key): unmanage)" : "allowed to coexist")\n"
        }.joined()
    }

    /// Storage path health, after the changes.
    public func renderHealth() -> String {
        guard !health.isEmpty else { return "" }
        return "storage paths: \(health.count) problem\(health.count == 1 ? "" : "s")\n" + health.map { "  ! \($0)\n" }.joined()
    }

    /// What `check` prints: the same diff, worded as drift.
    public func renderDrift() -> String {
        var out = "host \(host) (pool \(pool)): "
        if isEmpty { return out + (health.isEmpty ? "no drift.\n" : "no drift in configuration.\n") + renderForeign() + renderHealth() }
        let count = changes.count + problems.count
        out += "\(count) drift\(count == 1 ? "" : "s") from the file (`poolnet apply` repairs the ~/+/- lines)\n"
        for problem in problems { out += "  ! \(problem)\n" }
        out += renderForeign()
        for change in changes { out += "  \(change.line)\n" }
        return out + renderHealth()
    }
}

extension BondOptions {
    /// Only what differs, e.g. `miimon 100 → 200`. A primary set where there was none says no
    /// "from": a bond created by the same plan gets its primary after its members join.
    func changes(from previous: BondOptions) -> String {
        var parts: [String] = []
        if mode != previous.mode { parts.append("mode \(previous.mode) → \(mode)") }
        if miimon != previous.miimon { parts.append("miimon \(previous.miimon) → \(miimon)") }
        if lacpFast != previous.lacpFast { parts.append("lacp_rate \(previous.lacpFast ? "fast" : "slow") → \(lacpFast ? "fast" : "slow")") }
        if xmitHashPolicy != previous.xmitHashPolicy { parts.append("xmit_hash_policy \(previous.xmitHashPolicy) → \(xmitHashPolicy)") }
        if primary != previous.primary {
            parts.append(previous.primary.map { "primary \($0) → \(primary ?? "none")" } ?? "primary \(primary!)")
        }
        return parts.joined(separator: ", ")
    }

    /// `mode 802.3ad, miimon 100, lacp_rate fast, xmit_hash_policy layer3+4, primary eth1`
    public var summary: String {
        var parts = ["mode \(mode)", "miimon \(miimon)"]
        if mode == .lacp { parts.append("lacp_rate \(lacpFast ? "fast" : "slow")") }
        if mode.hashes { parts.append("xmit_hash_policy \(xmitHashPolicy)") }
        if let primary { parts.append("primary \(primary)") }
        return parts.joined(separator: ", ")
    }
}
