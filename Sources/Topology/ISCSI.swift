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

    let initiator: YNode
    let targets: YNode
    let paths: [PathSpec]
    let session: [(key: String, value: YNode, mark: SourceMark)]
    let multipath: [(section: String, entries: [(key: String, value: YNode)])]
    let hosts: [String]?
    let mark: SourceMark

    static func parse(_ node: YNode, hosts: Set<String>, errors: ErrorSink) -> ISCSISpec? {
        errors.collect {
            let r = try MappingReader(node, what: "iscsi", keys: ["initiator", "targets", "paths", "session", "multipath", "hosts"])
            let object = "iscsi"
            let initiator = try r.required("initiator")
            let targets = try r.required("targets")
            checkPerHost(initiator, hosts: hosts, errors: errors, object: object)
            checkPerHost(targets, hosts: hosts, errors: errors, object: object)
            var paths: [PathSpec] = []
            for item in try r.required("paths").sequence("iscsi paths") {
                errors.collect {
                    let p = try MappingReader(item, what: "an iscsi path", keys: ["iface", "nic", "portals", "hosts"])
                    let header = try parseHeaderlessHosts(p, hosts: hosts, errors: errors, object: object)
                    let path = PathSpec(iface: try p.required("iface"), nic: try p.required("nic"), portals: try p.required("portals"),
                                        hosts: header, mark: item.mark)
                    for field in [path.iface, path.nic, path.portals] { checkPerHost(field, hosts: hosts, errors: errors, object: object) }
                    p.unknownKeys().forEach(errors.add)
                    paths.append(path)
                }
            }
            if paths.isEmpty { errors.add("iscsi needs at least one path", at: node.mark, object: object) }
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

    func resolve(for host: PoolHost, pool: String, nics: [DesiredNIC], layout: StorageLayout) throws -> DesiredISCSI? {
        guard hosts?.contains(host.name) ?? true else { return nil }
        let r = HostResolver(host: host, object: "iscsi")
        guard let name = try r.string(initiator, "initiator") else { throw r.fail("iscsi needs an initiator name on this host", at: initiator) }
        if let problem = IQN.problem(name) { throw r.fail("initiator \"\(name)\" \(problem)", at: try r.select(initiator) ?? initiator) }
        var targetNames: [String] = []
        for (target, item) in try r.strings(targets, "targets") {
            if let problem = IQN.problem(target) { throw r.fail("target \"\(target)\" \(problem)", at: item) }
            if targetNames.contains(target) { throw r.fail("target \(target) is listed twice", at: item) }
            targetNames.append(target)
        }
        if targetNames.isEmpty { throw r.fail("iscsi needs at least one target", at: targets) }
        let nicsByName = Dictionary(nics.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var resolved: [DesiredISCSIPath] = []
        for path in paths where path.hosts?.contains(host.name) ?? true {
            guard let iface = try r.string(path.iface, "iface") else { continue }
            let p = HostResolver(host: host, object: "iscsi path \(iface)")
            let ifaceNode = try p.select(path.iface) ?? path.iface
            if let problem = ISCSIIfaceName.problem(iface) { throw p.fail("iface \"\(iface)\" \(problem)", at: ifaceNode) }
            if resolved.contains(where: { $0.iface == iface }) { throw p.fail("iface \(iface) is declared by two paths", at: ifaceNode) }
            guard let nicName = try p.interfaceName(path.nic, "nic") else { throw p.fail("the path has no nic on this host", at: path.nic) }
            guard let nic = nicsByName[nicName] else {
                let known = nics.map(\.name)
                throw p.fail("nic \(nicName) is not a storage NIC of this host (storage_nics: \(known.isEmpty ? "none" : known.joined(separator: ", ")))",
                             at: try p.select(path.nic) ?? path.nic)
            }
            if let other = resolved.first(where: { $0.nic == nicName }) {
                throw p.fail("nic \(nicName) already carries path \(other.iface); one iface per storage NIC", at: try p.select(path.nic) ?? path.nic)
            }
            var portals: [ISCSIPortal] = []
            for (text, item) in try p.strings(path.portals, "portals") {
                guard let portal = ISCSIPortal(text) else { throw p.fail("portal \"\(text)\" is not an IP address with an optional :port", at: item) }
                if layout == .perPathSubnet, !nic.addresses.isEmpty,
                   !nic.addresses.contains(where: { $0.prefix.network.contains(IPPrefix(portal.address, defaultPrefix: $0.prefix.prefixLength)!) }) {
                    throw p.fail("portal \(portal.address) is outside the subnets of \(nicName) (\(nic.addresses.map { $0.prefix.network.description }.joined(separator: ", "))); in layout per-path-subnet each portal sits in its path's subnet",
                                 at: item)
                }
                if portals.contains(portal) { throw p.fail("portal \(portal) is listed twice", at: item) }
                portals.append(portal)
            }
            if portals.isEmpty { throw p.fail("the path lists no portals", at: path.portals) }
            resolved.append(DesiredISCSIPath(iface: iface, nic: nicName, portals: portals, mark: path.mark))
        }
        var settings: [String: String] = [:]
        for (short, value, mark) in session {
            guard let text = try r.string(value, short) else { continue }
            let (key, kind) = ISCSISettings.keys[short]!
            let valid = kind.contains("|") ? kind.split(separator: "|").contains { $0 == text } : (Int(text).map { $0 >= 0 } ?? false)
            guard valid else {
                throw TopologyError("session \(short) must be \(kind.contains("|") ? kind.replacingOccurrences(of: "|", with: ", ") : "a whole number of \(kind)"), found \"\(text)\"",
                                    at: mark, host: host.name, object: "iscsi")
            }
            settings[key] = text
        }
        var config: String?
        if !multipath.isEmpty {
            var sections: MultipathDropInText.Sections = []
            for (section, entries) in multipath {
                sections.append((section, []))
                for (key, value) in entries {
                    guard let v = try r.string(value, key) else { continue }
                    if let problem = MultipathKeys.problem(key: key, value: v) {
                        throw r.fail("multipath \(section) \(key) \(problem)", at: try r.select(value) ?? value)
                    }
                    sections[sections.count - 1].entries.append((key, v))
                }
            }
            config = MultipathDropInText.render(pool: pool, sections)
        }
        return DesiredISCSI(initiatorName: name, paths: resolved, targets: targetNames, settings: settings, multipathConfig: config, mark: mark)
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
