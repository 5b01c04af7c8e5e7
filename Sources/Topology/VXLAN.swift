import HostState

/// `vxlans:` entry. A VXLAN uplink for a private bridge that spans the pool without a VLAN switch:
/// each host's VTEP address comes from `local`, and every other host of the object is a remote
/// (head-end replication).
///
///     vxlans:
///       - name: vx-priv0
///         vni: 4100
///         local: "192.0.2.${index + 10}"
///         device: san0          # underlay, optional
///     bridges:
///       - name: br-priv0
///         ports: [vx-priv0]
public struct VXLANSpec {
    let header: ObjectHeader
    let vni: YNode?
    let local: YNode?
    let device: YNode?
    let port: YNode?
    let mtu: YNode?

    static let kind = "vxlan"

    static func parse(_ node: YNode, hosts: Set<String>, errors: ErrorSink) -> VXLANSpec? {
        errors.collect {
            let r = try MappingReader(node, what: "a vxlans entry", keys: ["name", "hosts", "vni", "local", "device", "port", "mtu"])
            let header = try parseHeader(r, kind: kind, node: node, hosts: hosts, errors: errors)
            let spec = VXLANSpec(header: header, vni: try r.required("vni"), local: try r.required("local"),
                                 device: r.optional("device"), port: r.optional("port"), mtu: r.optional("mtu"))
            for field in [spec.vni, spec.local, spec.device, spec.port, spec.mtu] {
                checkPerHost(field, hosts: hosts, errors: errors, object: header.label)
            }
            r.unknownKeys().forEach(errors.add)
            return spec
        }
    }

    /// This host's VTEP address.
    func localAddress(_ r: HostResolver) throws -> String {
        guard let text = try r.string(local, "local") else { throw r.fail("vxlan needs a local VTEP address on this host", at: header.name) }
        // Byte scans: String.contains(String) goes through Foundation, and this runs hosts² times per VXLAN.
        let bytes = text.utf8
        guard let address = IPPrefix(text, defaultPrefix: bytes.contains(UInt8(ascii: ":")) ? 128 : 32), !bytes.contains(UInt8(ascii: "/")) else {
            throw r.fail("local \"\(text)\" is not an IP address", at: try r.select(local) ?? header.name)
        }
        return address.address
    }

    func resolve(for host: PoolHost, pool: [PoolHost]) throws -> DesiredVXLAN? {
        guard header.applies(to: host.name) else { return nil }
        let r = HostResolver(host: host, object: header.label)
        guard let name = try r.interfaceName(header.name, "name") else { throw r.fail("vxlan has no name on this host", at: header.name) }
        let x = HostResolver(host: host, object: "\(Self.kind) \(name)")
        let number = try x.int(vni, "vni")
        guard let id = number, (1...16_777_215).contains(id) else {
            throw x.fail("vni must be 1–16777215, found \(number.map(String.init) ?? "nothing")", at: try x.select(vni) ?? header.name)
        }
        let udp = try x.int(port, "port") ?? 4789
        guard (1...65535).contains(udp) else { throw x.fail("port \(udp) is out of range (1–65535)", at: try x.select(port)!) }
        let mine = try localAddress(x)
        // Every other host that has this VXLAN is a remote VTEP.
        var remotes: [String] = []
        for other in pool where other.name != host.name && header.applies(to: other.name) {
            let address = try localAddress(HostResolver(host: other, object: "\(Self.kind) \(name)"))
            if address == mine { throw x.fail("local \(mine) is also host \(other.name)'s VTEP address", at: try x.select(local) ?? header.name) }
            remotes.append(address)
        }
        return DesiredVXLAN(name: name, info: VXLANInfo(vni: UInt32(id), local: mine, port: UInt16(udp),
                                                        device: try x.interfaceName(device, "device"), remotes: remotes.sorted()),
                            mtu: try x.mtu(mtu), mark: header.mark)
    }
}
