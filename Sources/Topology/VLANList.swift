import HostState

extension HostResolver {
    /// A VLAN set: `10`, `"100-110,200"`, or a list mixing both (`[10, "100-110"]`).
    func vlanIDs(_ node: YNode?, _ field: String) throws -> [UInt16]? {
        guard let n = try select(node) else { return nil }
        let items: [YNode]
        if n.kind == .sequence { items = try n.sequence(field) } else { items = [n] }
        var ids: [UInt16] = []
        for item in items {
            guard let s = item.scalar else { throw fail("\(field) must be VLAN ids or ranges such as 100-110", at: item) }
            let text = try expand(s.string, at: item)
            for part in text.split(separator: ",") {
                let bounds = part.split(separator: "-", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
                guard (bounds.count == 1 || bounds.count == 2), let low = bounds.first ?? nil, let high = bounds.last ?? nil else {
                    throw fail("\(field): \"\(part)\" is not a VLAN id or a range such as 100-110", at: item)
                }
                guard (1...4094).contains(low), (1...4094).contains(high) else {
                    throw fail("\(field): VLAN ids are 1–4094, found \"\(part)\"", at: item)
                }
                guard low <= high else { throw fail("\(field): range \"\(part)\" runs backwards", at: item) }
                ids += (low...high).map { UInt16($0) }
            }
        }
        return Array(Set(ids)).sorted()
    }
}

/// A port entry: `eth3`, or `{ name: eth3, vlans: "100-110", pvid: 10, untagged: [10] }`.
struct PortSpec {
    let name: YNode
    let vlans: YNode?
    let pvid: YNode?
    let untagged: YNode?

    static func parse(_ node: YNode, hosts: Set<String>, errors: ErrorSink, object: String) -> PortSpec? {
        if node.scalar != nil { return PortSpec(name: node, vlans: nil, pvid: nil, untagged: nil) }
        return errors.collect {
            let r = try MappingReader(node, what: "a port of \(object)", keys: ["name", "vlans", "pvid", "untagged"])
            let name = r.required("name", errors: errors)
            let spec = PortSpec(name: name ?? node, vlans: r.optional("vlans"), pvid: r.optional("pvid"),
                                untagged: r.optional("untagged"))
            for field in [spec.name, spec.vlans, spec.pvid, spec.untagged] {
                checkPerHost(field, hosts: hosts, errors: errors, object: object)
            }
            r.unknownKeys().forEach(errors.add)
            return name == nil ? nil : spec
        } ?? nil
    }

    var managesVLANs: Bool { vlans != nil || pvid != nil || untagged != nil }
}

extension HostResolver {
    /// The exact VLAN set of a port or of the bridge itself: `vlans` plus the pvid and untagged ones.
    func bridgeVLANs(vlans: YNode?, pvid: YNode?, untagged: YNode?, at anchor: YNode) throws -> [BridgeVLAN] {
        var set = Set(try vlanIDs(vlans, "vlans") ?? [])
        let untaggedIDs = Set(try vlanIDs(untagged, "untagged") ?? [])
        var pvidID: UInt16?
        if let p = try int(pvid, "pvid") {
            guard (1...4094).contains(p) else { throw fail("pvid \(p) is out of range (1–4094)", at: try select(pvid) ?? anchor) }
            pvidID = UInt16(p)
        }
        set.formUnion(untaggedIDs)
        if let pvidID { set.insert(pvidID) }
        return set.sorted().map { BridgeVLAN(vid: $0, pvid: $0 == pvidID, untagged: untaggedIDs.contains($0)) }
    }
}
