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
            let details = n.createDetails
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
