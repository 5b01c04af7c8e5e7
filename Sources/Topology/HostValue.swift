import HostState

/// Checks the shape of a value that may differ per host:
///   mtu: 9000                                 same everywhere
///   name: "eth${index}"                        derived from the host's index or vars
///   addresses: { per_host: { hv01: [..] }, default: [..] }   explicit per host
func checkPerHost(_ node: YNode?, hosts: Set<String>, errors: ErrorSink, object: String) {
    guard let node, node.kind == .mapping else { return }
    guard let reader = errors.collect({ try MappingReader(node, what: "a per-host value") }) else { return }
    guard reader.keys.contains("per_host") else { return }
    if let perHost = reader.optional("per_host") {
        if let entries = errors.collect({ try perHost.mapping("per_host") }) {
            for (key, _) in entries {
                guard let host = errors.collect({ try key.string("a host name") }) else { continue }
                if !hosts.contains(host) {
                    errors.add("per_host names \"\(host)\", which is not a host in this file (hosts: \(hosts.sorted().joined(separator: ", ")))",
                               at: key.mark, object: object)
                }
            }
        }
    }
    _ = reader.optional("default")
    reader.unknownKeys().forEach(errors.add)
}

/// Turns the file's nodes into typed values for one host, with errors naming host and object.
struct HostResolver {
    let host: PoolHost
    let object: String

    func fail(_ message: String, at node: YNode) -> TopologyError {
        TopologyError(message, at: node.mark, host: host.name, object: object)
    }

    /// The node that applies to this host: the value itself, or its per_host entry, or its default.
    func select(_ node: YNode?) throws -> YNode? {
        guard let node else { return nil }
        guard node.kind == .mapping, let perHost = node.value(forKey: "per_host") else { return node }
        if let chosen = perHost.value(forKey: host.name) { return chosen.isNull ? nil : chosen }
        if let fallback = node.value(forKey: "default") { return fallback.isNull ? nil : fallback }
        return nil
    }

    func expand(_ text: String, at node: YNode) throws -> String {
        do { return try HostExpression.expand(text, in: host.context) } catch {
            throw fail(error.message, at: node)
        }
    }

    func string(_ node: YNode?, _ field: String) throws -> String? {
        guard let n = try select(node) else { return nil }
        do { return try expand(try n.string(field), at: n) } catch let e as TopologyError {
            throw fail(e.message, at: n)
        }
    }

    func int(_ node: YNode?, _ field: String) throws -> Int? {
        guard let n = try select(node) else { return nil }
        guard let s = n.scalar else { throw fail("\(field) must be an integer, found \(n.typeName)", at: n) }
        let text = try expand(s.string, at: n)
        guard let value = Int(text) else { throw fail("\(field) must be an integer, found \"\(text)\"", at: n) }
        return value
    }

    func bool(_ node: YNode?, _ field: String) throws -> Bool? {
        guard let n = try select(node) else { return nil }
        do { return try n.bool(field) } catch let e as TopologyError { throw fail(e.message, at: n) }
    }

    /// A list of strings; each element keeps its own mark for later errors.
    func strings(_ node: YNode?, _ field: String) throws -> [(String, YNode)] {
        guard let n = try select(node) else { return [] }
        let items: [YNode]
        do { items = try n.sequence(field) } catch let e as TopologyError { throw fail(e.message, at: n) }
        let problems = ErrorSink()
        let found = items.compactMap { item in problems.collect { () throws -> (String, YNode) in
            guard let s = item.scalar else { throw fail("each entry of \(field) must be a string, found \(item.typeName)", at: item) }
            return (try expand(s.string, at: item), item)
        } }
        return try problems.finish(found)
    }

    func interfaceName(_ node: YNode?, _ field: String) throws -> String? {
        guard let name = try string(node, field) else { return nil }
        if let problem = InterfaceName.problem(name) {
            throw fail("\(field) \"\(name)\" \(problem)", at: try select(node) ?? node!)
        }
        return name
    }

    /// MTU within what Linux accepts for Ethernet-like devices (68, the IPv4 minimum, to 65535).
    func mtu(_ node: YNode?) throws -> UInt32? {
        guard let value = try int(node, "mtu") else { return nil }
        guard (68...65535).contains(value) else {
            throw fail("mtu \(value) is out of range (68–65535)", at: try select(node)!)
        }
        return UInt32(value)
    }

    func subnet(_ node: YNode?) throws -> IPPrefix? {
        guard let n = try select(node), let text = try string(n, "subnet") else { return nil }
        guard let prefix = IPPrefix(text) else {
            throw fail("subnet \"\(text)\" is not a CIDR prefix such as 192.0.2.0/24", at: n)
        }
        guard prefix.isNetworkAddress else {
            throw fail("subnet \"\(text)\" has host bits set; did you mean \(prefix.network)?", at: n)
        }
        return prefix
    }

    /// Addresses in CIDR form; inside a declared subnet the prefix length may be left out.
    /// Every bad address is reported, not only the first.
    func addresses(_ node: YNode?, subnet: IPPrefix?) throws -> [DesiredAddress] {
        let problems = ErrorSink()
        let found = try strings(node, "addresses").compactMap { text, item in problems.collect { () throws -> DesiredAddress in
            guard let prefix = IPPrefix(text, defaultPrefix: subnet?.prefixLength) else {
                if subnet == nil, !text.utf8.contains(UInt8(ascii: "/")), IPPrefix(text, defaultPrefix: 0) != nil {
                    throw fail("address \"\(text)\" needs a prefix length (e.g. \(text)/24), or declare a subnet on the object", at: item)
                }
                throw fail("address \"\(text)\" is not a valid CIDR address such as 192.0.2.11/24", at: item)
            }
            if let subnet {
                guard subnet.contains(prefix), prefix.family == subnet.family else {
                    throw fail("address \(prefix) is outside the declared subnet \(subnet)", at: item)
                }
                guard prefix.prefixLength == subnet.prefixLength else {
                    throw fail("address \(prefix) has prefix length /\(prefix.prefixLength) but subnet \(subnet) is /\(subnet.prefixLength)", at: item)
                }
            }
            if prefix.family == .ipv4, prefix.prefixLength < 31 {
                if prefix.isNetworkAddress { throw fail("address \(prefix) is the network address of its subnet", at: item) }
                if prefix.isBroadcastAddress { throw fail("address \(prefix) is the broadcast address of its subnet", at: item) }
            }
            return DesiredAddress(prefix: prefix, mark: item.mark)
        } }
        return try problems.finish(found)
    }
}
