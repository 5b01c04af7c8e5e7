import HostState

/// An NPIV port on one host: created on the physical FC port whose WWPN is `parent`.
public struct DesiredVPort: Sendable, Equatable, Codable {
    public var name: String
    public var parent: WWN
    public var wwpn: WWN
    public var wwnn: WWN
    public var symbolicName: String?
    public var mark: SourceMark

    public init(name: String, parent: WWN, wwpn: WWN, wwnn: WWN, symbolicName: String? = nil, mark: SourceMark) {
        self.name = name
        self.parent = parent
        self.wwpn = wwpn
        self.wwnn = wwnn
        self.symbolicName = symbolicName
        self.mark = mark
    }
}

/// `fc: { vports: [...] }` entry. NPIV ports do not survive a reboot; poolnet declares them and
/// keeps them present. The parent is named by its WWPN, which is stable (`hostN` numbers are not).
///
///     fc:
///       vports:
///         - name: fab-a
///           parent: "${vars.hba0}"                     # the physical port's WWPN
///           wwpn: "c0:50:76:00:0a:00:00:${index:02x}"  # 0x…, colon-separated or 16 hex digits
///           wwnn: "c05076000b0000${index:02x}"
///           symbolic_name: "poolnet ${name} fabric A"
public struct VPortSpec {
    let header: ObjectHeader
    let parent: YNode?
    let wwpn: YNode?
    let wwnn: YNode?
    let symbolicName: YNode?

    static let kind = "vport"

    static func parseSection(_ node: YNode, hosts: Set<String>, errors: ErrorSink) -> [VPortSpec] {
        errors.collect {
            let r = try MappingReader(node, what: "fc")
            let items = try r.optional("vports").map { try $0.sequence("fc vports") } ?? []
            r.unknownKeys().forEach(errors.add)
            return items.compactMap { parse($0, hosts: hosts, errors: errors) }
        } ?? []
    }

    static func parse(_ node: YNode, hosts: Set<String>, errors: ErrorSink) -> VPortSpec? {
        errors.collect {
            let r = try MappingReader(node, what: "a vports entry", keys: ["name", "hosts", "parent", "wwpn", "wwnn", "symbolic_name"])
            let header = parseHeader(r, kind: kind, node: node, hosts: hosts, errors: errors)
            let spec = VPortSpec(header: header, parent: r.required("parent", errors: errors), wwpn: r.required("wwpn", errors: errors),
                                 wwnn: r.required("wwnn", errors: errors),
                                 symbolicName: r.optional("symbolic_name"))
            for field in [spec.parent, spec.wwpn, spec.wwnn, spec.symbolicName] {
                checkPerHost(field, hosts: hosts, errors: errors, object: header.label)
            }
            r.unknownKeys().forEach(errors.add)
            return spec
        }
    }

    /// Every mistake of the vport on this host is reported together (see ErrorSink.finish).
    func resolve(for host: PoolHost, warnings: inout [TopologyError]) throws -> DesiredVPort? {
        guard header.applies(to: host.name) else { return nil }
        let problems = ErrorSink()
        let name = header.resolveName(host, problems: problems, interface: false)
        let v = header.resolver(host, name: name)
        var found: [TopologyError] = []
        // A missing key was reported with the file's structure.
        func read(_ node: YNode?, _ field: String, naaRules: Bool) -> WWN? {
            guard let node else { return nil }
            return problems.value { try wwn(node, field, v, naaRules: naaRules, warnings: &found) }
        }
        let parent = read(self.parent, "parent", naaRules: false)
        let port = read(wwpn, "wwpn", naaRules: true)
        let node = read(wwnn, "wwnn", naaRules: true)
        warnings += found
        if let port, port == node { problems.add(v.fail("wwpn and wwnn are both \(port): distinct entities need distinct names", at: ((try? v.select(wwnn)) ?? nil) ?? header.name)) }
        if let port, port == parent { problems.add(v.fail("wwpn \(port) is the parent port's own name", at: ((try? v.select(wwpn)) ?? nil) ?? header.name)) }
        let symbolic = problems.value { try v.string(symbolicName, "symbolic_name") }
        if let symbolic {
            let at = ((try? v.select(symbolicName)) ?? nil) ?? header.name
            // The FC transport keeps at most FC_VPORT_SYMBOLIC_NAMELEN (64) bytes, and a control
            // character would reach the fabric's name server.
            if symbolic.utf8.count > 64 {
                problems.add(v.fail("symbolic_name is \(symbolic.utf8.count) bytes long; the FC transport allows at most 64", at: at))
            }
            if symbolic.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                problems.add(v.fail("symbolic_name \(MultipathKeys.quoted(symbolic)) contains a control character", at: at))
            }
        }
        return try problems.finish(name.flatMap { name in
            parent.flatMap { parent in port.flatMap { port in node.map { node in
                DesiredVPort(name: name, parent: parent, wwpn: port, wwnn: node, symbolicName: symbolic, mark: header.mark)
            } } }
        })
    }

    /// A WWN with the NAA rules of storage-domain.md §4: accept 1, 2, 5; warn on 3 and C–F;
    /// reject 0, 4, the reserved 7–B, and 128-bit NAA 6.
    func wwn(_ node: YNode, _ field: String, _ r: HostResolver, naaRules: Bool, warnings: inout [TopologyError]) throws -> WWN {
        guard let text = try r.string(node, field) else { throw r.fail("\(field) is not set on this host", at: node) }
        let at = try r.select(node) ?? node
        switch WWN.parse(text) {
        case .failure(let e): throw r.fail("\(field) \"\(text)\" \(e.message)", at: at)
        case .success(let w):
            guard naaRules else { return w }
            switch w.naa {
            case 1, 2, 5: break
            case 3, 0xC...0xF:
                var warning = r.fail("\(field) \(w) has NAA \(String(w.naa, radix: 16, uppercase: true)) (\(w.naa == 3 ? "locally assigned" : "mapped EUI-64")); NAA 1, 2 or 5 is usual for NPIV", at: at)
                warning.isWarning = true
                warnings.append(warning)
            case 6: throw r.fail("\(field) \(w): NAA 6 is a 128-bit name; use NAA 1, 2 or 5", at: at)
            default: throw r.fail("\(field) \(w): NAA \(String(w.naa, radix: 16, uppercase: true)) is not valid for a port name; use NAA 1, 2 or 5", at: at)
            }
            return w
        }
    }
}
