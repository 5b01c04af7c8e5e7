extension CurrentState {
    /// The state with what the kernel chooses on its own cleared: ifindexes (recreated links get
    /// new ones) and carrier (settled on the kernel's time). Everything poolnet controls remains.
    public var ignoringKernelChosenFields: CurrentState {
        var s = self
        for i in s.links.indices {
            s.links[i].index = 0
            s.links[i].carrier = false
        }
        return s
    }

    /// What differs from `before` in the parts an apply changes and a rollback must restore:
    /// links (kind, MTU, up, master, alias, kind options), addresses with their protocol, and the
    /// sysctls `before` holds. Ifindexes, carrier and the kernel's primary/secondary order are
    /// ignored. Empty when the host is as it was. One line per difference, naming the object.
    public func differences(from before: CurrentState) -> [String] {
        var out: [String] = []
        let now = linksByName()
        let then = before.linksByName()
        for name in then.keys.sorted() {
            guard let old = then[name] else { continue }
            guard let new = now[name] else {
                out.append("link \(name) (\(old.kind)) is missing")
                continue
            }
            out += Self.linkDifferences(old, new).map { "link \(name): \($0)" }
        }
        for name in now.keys.sorted() where then[name] == nil {
            out.append("link \(name) (\(now[name]!.kind)) was not there before")
        }
        let oldAddresses = Dictionary(before.addresses.map { (AddressKey($0), $0.proto) }, uniquingKeysWith: { a, _ in a })
        let newAddresses = Dictionary(addresses.map { (AddressKey($0), $0.proto) }, uniquingKeysWith: { a, _ in a })
        for key in oldAddresses.keys.sorted() {
            guard let proto = newAddresses[key] else {
                out.append("address \(key.prefix) on \(key.link) (proto \(oldAddresses[key]!)) is missing")
                continue
            }
            if proto != oldAddresses[key] { out.append("address \(key.prefix) on \(key.link): proto \(oldAddresses[key]!) → \(proto)") }
        }
        for key in newAddresses.keys.sorted() where oldAddresses[key] == nil {
            out.append("address \(key.prefix) on \(key.link) was not there before")
        }
        let values = sysctlValues()
        for value in before.sysctls.sorted(by: { $0.key < $1.key }) {
            // A sysctl of a link that is gone is reported with the link.
            guard now[value.key.link] != nil || ["all", "default"].contains(value.key.link) else { continue }
            if let have = values[value.key] {
                if have != value.value { out.append("\(value.key) = \(have), was \(value.value)") }
            } else {
                out.append("\(value.key) could not be read again (was \(value.value))")
            }
        }
        return out
    }

    struct AddressKey: Hashable, Comparable {
        var link: String
        var prefix: IPPrefix
        init(_ a: AddressState) {
            link = a.link
            prefix = a.prefix
        }
        static func < (a: AddressKey, b: AddressKey) -> Bool { (a.link, a.prefix) < (b.link, b.prefix) }
    }

    static func linkDifferences(_ a: LinkState, _ b: LinkState) -> [String] {
        var out: [String] = []
        func compare<T: Equatable>(_ what: String, _ x: T, _ y: T, _ show: (T) -> String) {
            if x != y { out.append("\(what) \(show(x)) → \(show(y))") }
        }
        compare("kind", a.kind, b.kind) { "\($0)" }
        compare("mtu", a.mtu, b.mtu) { "\($0)" }
        compare("state", a.up, b.up) { $0 ? "up" : "down" }
        compare("master", a.master, b.master) { $0 ?? "none" }
        compare("alias", a.alias, b.alias) { $0.map { "\"\($0)\"" } ?? "none" }
        compare("lower link", a.link, b.link) { $0 ?? "none" }
        out += a.options.differences(to: b.options)
        // Port VLANs only when both reads asked for them.
        if let x = a.bridgeVLANs, let y = b.bridgeVLANs { compare("port VLANs", x.sorted(), y.sorted()) { $0.summary } }
        return out
    }
}
