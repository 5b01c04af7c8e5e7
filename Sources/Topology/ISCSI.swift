import HostState

/// `iscsi:` section. Multipath iSCSI over the storage NICs: the initiator name per host, one
/// open-iscsi iface per storage path, the targets to log in to through every portal of every
/// path, session settings, and the multipath keys poolnet owns in its drop-in.
///
///     iscsi:
///       initiator: "iqn.2026-11.org.example:${name}"
///       targets: [iqn.2026-11.org.example:store1]
///       paths:
///         - { iface: san-a, nic: stor0, portals: [192.0.2.10] }
///         - { iface: san-b, nic: stor1, portals: ["198.51.100.10:3260"] }
///       session: { startup: automatic, replacement_timeout: 5 }
///       multipath: { overrides: { no_path_retry: 12 } }
public struct ISCSISpec {
    struct PathSpec {
        let iface: YNode
        let nic: YNode
        let portals: YNode
        let hosts: [String]?
        let mark: SourceMark
    }

    /// Nil when the key is missing (reported with the file's structure).
    let initiator: YNode?
    let targets: YNode?
    let paths: [PathSpec]
    let session: [(key: String, value: YNode, mark: SourceMark)]
    let multipath: [(section: String, entries: [(key: String, value: YNode)])]
    let hosts: [String]?
    let mark: SourceMark

    static func parse(_ node: YNode, hosts: Set<String>, errors: ErrorSink) -> ISCSISpec? {
        errors.collect {
            let r = try MappingReader(node, what: "iscsi", keys: ["initiator", "targets", "paths", "session", "multipath", "hosts"])
            let object = "iscsi"
            let initiator = r.required("initiator", errors: errors)
            let targets = r.required("targets", errors: errors)
            checkPerHost(initiator, hosts: hosts, errors: errors, object: object)
            checkPerHost(targets, hosts: hosts, errors: errors, object: object)
            var paths: [PathSpec] = []
            let pathsNode = r.required("paths", errors: errors)
            let pathItems = errors.value { try pathsNode?.sequence("iscsi paths") }
            for item in pathItems ?? [] {
                errors.collect {
                    let p = try MappingReader(item, what: "an iscsi path", keys: ["iface", "nic", "portals", "hosts"])
                    let header = errors.value { try parseHeaderlessHosts(p, hosts: hosts, errors: errors, object: object) }
                    let iface = p.required("iface", errors: errors), nic = p.required("nic", errors: errors)
                    let portals = p.required("portals", errors: errors)
                    for field in [iface, nic, portals] { checkPerHost(field, hosts: hosts, errors: errors, object: object) }
                    p.unknownKeys().forEach(errors.add)
                    if let iface, let nic, let portals { paths.append(PathSpec(iface: iface, nic: nic, portals: portals, hosts: header, mark: item.mark)) }
                }
            }
            if pathItems?.isEmpty == true { errors.add("iscsi needs at least one path", at: node.mark, object: object) }
            var session: [(String, YNode, SourceMark)] = []
            if let s = r.optional("session") {
                for (key, value) in try s.mapping("iscsi session") {
                    let name = try key.string("a session setting")
                    guard ISCSISettings.keys[name] != nil else {
                        errors.add("unknown session setting \"\(name)\" (allowed: \(ISCSISettings.keys.keys.sorted().joined(separator: ", ")))",
                                   at: key.mark, object: object)
                        continue
                    }
                    checkPerHost(value, hosts: hosts, errors: errors, object: object)
                    session.append((name, value, key.mark))
                }
            }
            var multipath: [(String, [(String, YNode)])] = []
            if let m = r.optional("multipath") {
                for (key, value) in try m.mapping("iscsi multipath") {
                    let section = try key.string("a multipath section")
                    guard ISCSISettings.multipathSections.contains(section) else {
                        errors.add("multipath section \"\(section)\" is not one poolnet writes (allowed: \(ISCSISettings.multipathSections.joined(separator: ", ")))",
                                   at: key.mark, object: object)
                        continue
                    }
                    var entries: [(String, YNode)] = []
                    for (k, v) in try value.mapping("multipath \(section)") {
                        let name = try k.string("a multipath key")
                        if ISCSISettings.neverWritten.contains(name) {
                            errors.add("multipath \(name) is the platform's to set; poolnet checks it but never writes it", at: k.mark, object: object)
                        } else if MultipathKeys.allowed[name] == nil {
                            errors.add("multipath key \(MultipathKeys.quoted(name)) is not one poolnet writes (allowed: \(MultipathKeys.allowed.keys.sorted().joined(separator: ", ")))",
                                       at: k.mark, object: object)
                        } else if v.scalar == nil {
                            errors.add("multipath \(section) \(name) must be a single value", at: v.mark, object: object)
                        } else {
                            entries.append((name, v))
                        }
                    }
                    multipath.append((section, entries))
                }
            }
            let only = try parseHeaderlessHosts(r, hosts: hosts, errors: errors, object: object)
            r.unknownKeys().forEach(errors.add)
            return ISCSISpec(initiator: initiator, targets: targets, paths: paths, session: session, multipath: multipath,
                             hosts: only, mark: node.mark)
        }
    }

    /// Every mistake of the section on this host is reported together: each target, path,
    /// session setting and multipath key on its own (see ErrorSink.finish).
    /// `allNICs`: false when a storage NIC of this host failed to resolve (its own errors say
    /// why), so a path on a NIC not found is not blamed on the path.
    func resolve(for host: PoolHost, pool: String, nics: [DesiredNIC], layout: StorageLayout, allNICs: Bool = true) throws -> DesiredISCSI? {
        guard hosts?.contains(host.name) ?? true else { return nil }
        let problems = ErrorSink()
        let r = HostResolver(host: host, object: "iscsi")
        var name: String?
        if let initiator {
            problems.collect {
                guard let text = try r.string(initiator, "initiator") else { throw r.fail("iscsi needs an initiator name on this host", at: initiator) }
                if let problem = IQN.problem(text) { throw r.fail("initiator \"\(text)\" \(problem)", at: try r.select(initiator) ?? initiator) }
                name = text
            }
        }
        var targetNames: [String] = []
        if let targets, let listed = problems.value({ try r.strings(targets, "targets") }) {
            for (target, item) in listed {
                problems.collect {
                    if let problem = IQN.problem(target) { throw r.fail("target \"\(target)\" \(problem)", at: item) }
                    if targetNames.contains(target) { throw r.fail("target \(target) is listed twice", at: item) }
                    targetNames.append(target)
                }
            }
            if listed.isEmpty { problems.add(r.fail("iscsi needs at least one target", at: targets)) }
        }
        let nicsByName = Dictionary(nics.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var resolved: [DesiredISCSIPath] = []
        for path in paths where path.hosts?.contains(host.name) ?? true {
            problems.collect {
                if let found = try resolvePath(path, host: host, nics: nics, byName: nicsByName, layout: layout, allNICs: allNICs, before: resolved) { resolved.append(found) }
            }
        }
        var settings: [String: String] = [:]
        for (short, value, mark) in session {
            problems.collect {
                guard let text = try r.string(value, short) else { return }
                let (key, kind) = ISCSISettings.keys[short]!
                let valid = kind.contains("|") ? kind.split(separator: "|").contains { $0 == text } : (Int(text).map { $0 >= 0 } ?? false)
                guard valid else {
                    throw TopologyError("session \(short) must be \(kind.contains("|") ? kind.replacingOccurrences(of: "|", with: ", ") : "a whole number of \(kind)"), found \"\(text)\"",
                                        at: mark, host: host.name, object: "iscsi")
                }
                settings[key] = text
            }
        }
        var config: String?
        if !multipath.isEmpty {
            var sections: MultipathDropInText.Sections = []
            for (section, entries) in multipath {
                sections.append((section, []))
                for (key, value) in entries {
                    problems.collect {
                        guard let v = try r.string(value, key) else { return }
                        if let problem = MultipathKeys.problem(key: key, value: v) {
                            throw r.fail("multipath \(section) \(key) \(problem)", at: try r.select(value) ?? value)
                        }
                        sections[sections.count - 1].entries.append((key, v))
                    }
                }
            }
            config = MultipathDropInText.render(pool: pool, sections)
        }
        return try problems.finish(name.map { name in
            DesiredISCSI(initiatorName: name, paths: resolved, targets: targetNames, settings: settings, multipathConfig: config, mark: mark)
        })
    }

    /// One path on this host; nil when it has no iface here.
    func resolvePath(_ path: PathSpec, host: PoolHost, nics: [DesiredNIC], byName nicsByName: [String: DesiredNIC], layout: StorageLayout,
                     allNICs: Bool, before resolved: [DesiredISCSIPath]) throws -> DesiredISCSIPath? {
        guard let iface = try HostResolver(host: host, object: "iscsi").string(path.iface, "iface") else { return nil }
        let p = HostResolver(host: host, object: "iscsi path \(iface)")
        let problems = ErrorSink()
        problems.collect {
            let ifaceNode = try p.select(path.iface) ?? path.iface
            if let problem = ISCSIIfaceName.problem(iface) { throw p.fail("iface \"\(iface)\" \(problem)", at: ifaceNode) }
            if resolved.contains(where: { $0.iface == iface }) { throw p.fail("iface \(iface) is declared by two paths", at: ifaceNode) }
        }
        let nicName = problems.value { () throws -> String? in
            guard let nicName = try p.interfaceName(path.nic, "nic") else { throw p.fail("the path has no nic on this host", at: path.nic) }
            guard nicsByName[nicName] != nil else {
                if !allNICs { return nil }
                let known = nics.map(\.name)
                throw p.fail("nic \(nicName) is not a storage NIC of this host (storage_nics: \(known.isEmpty ? "none" : known.joined(separator: ", ")))",
                             at: try p.select(path.nic) ?? path.nic)
            }
            if let other = resolved.first(where: { $0.nic == nicName }) {
                throw p.fail("nic \(nicName) already carries path \(other.iface); one iface per storage NIC", at: try p.select(path.nic) ?? path.nic)
            }
            return nicName
        }
        let nic = nicName.flatMap { nicsByName[$0] }
        var portals: [ISCSIPortal] = []
        for (text, item) in problems.value({ try p.strings(path.portals, "portals") }) ?? [] {
            problems.collect {
                guard let portal = ISCSIPortal(text) else { throw p.fail("portal \"\(text)\" is not an IP address with an optional :port", at: item) }
                if let nic, let nicName, layout == .perPathSubnet, !nic.addresses.isEmpty,
                   !nic.addresses.contains(where: { $0.prefix.network.contains(IPPrefix(portal.address, defaultPrefix: $0.prefix.prefixLength)!) }) {
                    throw p.fail("portal \(portal.address) is outside the subnets of \(nicName) (\(nic.addresses.map { $0.prefix.network.description }.joined(separator: ", "))); in layout per-path-subnet each portal sits in its path's subnet",
                                 at: item)
                }
                if portals.contains(portal) { throw p.fail("portal \(portal) is listed twice", at: item) }
                portals.append(portal)
            }
        }
        if portals.isEmpty, problems.errors.isEmpty { throw p.fail("the path lists no portals", at: path.portals) }
        return try problems.finish(nicName.map { DesiredISCSIPath(iface: iface, nic: $0, portals: portals, mark: path.mark) })
    }
}

/// `hosts:` on a mapping that has no name of its own.
func parseHeaderlessHosts(_ r: MappingReader, hosts: Set<String>, errors: ErrorSink, object: String) throws -> [String]? {
    guard let list = r.optional("hosts") else { return nil }
    return try list.sequence("hosts").compactMap { item in
        guard let host = errors.collect({ try item.string("a host name") }) else { return nil }
        if !hosts.contains(host) {
            errors.add("\"\(host)\" is not a host in this file (hosts: \(hosts.sorted().joined(separator: ", ")))", at: item.mark, object: object)
        }
        return host
    }
}
