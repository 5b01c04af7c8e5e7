import Foundation
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
    /// Each host's VTEP address once worked out: resolving one host needs every host's (its
    /// remotes), so validating H hosts asked for each H² times.
    let vteps = VTEPAddresses()

    static let kind = "vxlan"

    static func parse(_ node: YNode, hosts: Set<String>, errors: ErrorSink) -> VXLANSpec? {
        errors.collect {
            let r = try MappingReader(node, what: "a vxlans entry", keys: ["name", "hosts", "vni", "local", "device", "port", "mtu"])
            let header = parseHeader(r, kind: kind, node: node, hosts: hosts, errors: errors)
            let spec = VXLANSpec(header: header, vni: r.required("vni", errors: errors), local: r.required("local", errors: errors),
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

    /// Every mistake of the VXLAN on this host is reported together (see ErrorSink.finish).
    func resolve(for host: PoolHost, pool: [PoolHost]) throws -> DesiredVXLAN? {
        guard header.applies(to: host.name) else { return nil }
        let problems = ErrorSink()
        let name = header.resolveName(host, problems: problems)
        let x = header.resolver(host, name: name)
        var id: Int?
        if vni != nil {   // a missing key was reported with the file's structure
            let (number, bad) = problems.field { try x.int(vni, "vni") }
            if let number, (1...16_777_215).contains(number) { id = number } else if !bad {
                problems.add(x.fail("vni must be 1–16777215, found \(number.map(String.init) ?? "nothing")", at: ((try? x.select(vni)) ?? nil) ?? header.name))
            }
        }
        var udp = problems.value { try x.int(port, "port") } ?? 4789
        if !(1...65535).contains(udp) {
            problems.add(x.fail("port \(udp) is out of range (1–65535)", at: ((try? x.select(port)) ?? nil) ?? header.name))
            udp = 4789
        }
        let mine = local == nil ? nil : problems.value { try vteps.address(of: host.context) { try localAddress(x) } }
        // Every other host that has this VXLAN is a remote VTEP.
        var remotes: [String] = []
        if let mine {
            for other in pool where other.name != host.name && header.applies(to: other.name) {
                problems.collect {
                    let address = try vteps.address(of: other.context) { try localAddress(HostResolver(host: other, object: x.object)) }
                    if address == mine { throw x.fail("local \(mine) is also host \(other.name)'s VTEP address", at: try x.select(local) ?? header.name) }
                    remotes.append(address)
                }
            }
        }
        let device = problems.value { try x.interfaceName(self.device, "device") }
        let mtu = problems.value { try x.mtu(self.mtu) }
        return try problems.finish(name.flatMap { name in
            id.flatMap { id in mine.map { mine in
                DesiredVXLAN(name: name, info: VXLANInfo(vni: UInt32(id), local: mine, port: UInt16(udp), device: device, remotes: remotes.sorted()),
                             mtu: mtu, mark: header.mark)
            } }
        })
    }
}

/// One VXLAN's VTEP address per host, as resolved: an address depends on the host alone (its
/// name, index and vars: the key, should a caller change a host after parsing). Only
/// addresses are kept; a mistake is worked out again by each host that meets it, so that its
/// message names the object as that host resolves it. Locked: resolutions may run on two threads.
final class VTEPAddresses: @unchecked Sendable {
    private let lock = NSLock()
    private var byHost: [HostContext: String] = [:]

    func address(of host: HostContext, _ resolve: () throws -> String) throws -> String {
        lock.lock()
        let known = byHost[host]
        lock.unlock()
        if let known { return known }
        let address = try resolve()
        lock.lock()
        byHost[host] = address
        lock.unlock()
        return address
    }
}

extension DesiredVXLAN {
    /// The kind and options it is created with: the remotes go separately, as FDB entries.
    public var linkOptions: LinkOptions {
        var options = LinkOptions.vxlan(info)
        options.setVXLANRemotes(nil)
        return options
    }

    /// VNI, local VTEP, port and underlay cannot change in place; the remotes can.
    public func keepsIdentity(of link: LinkState) -> Bool { link.vxlan?.sameIdentity(as: info) ?? false }
}

/// A VXLAN device on one host with its remote VTEPs (the other hosts).
public struct DesiredVXLAN: Sendable, Equatable {
    public var name: String
    public var info: VXLANInfo
    public var mtu: UInt32?
    public var mark: SourceMark

    public init(name: String, info: VXLANInfo, mtu: UInt32? = nil, mark: SourceMark) {
        self.name = name
        self.info = info
        self.mtu = mtu
        self.mark = mark
    }
}

// The kind's registration: its file key and what the resolver, host checks and planner ask of it.
extension VXLANSpec: LinkSpec {
    static let fileKey = "vxlans"

    func resolve(for host: PoolHost, in topology: Topology) throws -> DesiredVXLAN? { try resolve(for: host, pool: topology.hosts) }
}

extension DesiredVXLAN: DesiredLink {
    public static let kind = LinkKind.vxlan
    public static let fileKind = VXLANSpec.kind
    public var lowerDevices: [String] { info.device.map { [$0] } ?? [] }
}

extension Topology {
    public var vxlans: [VXLANSpec] { linkSpecs[VXLANSpec.self] }
}

extension DesiredState {
    public var vxlans: [DesiredVXLAN] {
        get { links[DesiredVXLAN.self] }
        set { links[DesiredVXLAN.self] = newValue }
        _modify { yield &links[DesiredVXLAN.self] }
    }
}
