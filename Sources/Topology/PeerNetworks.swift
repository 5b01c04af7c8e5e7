import HostState

/// One thing `check --peers` probes: a peer host's address on a network both hosts share according
/// to the file, from this host's device and address, with the frame size the file promises.
public struct PeerTarget: Sendable, Hashable {
    public enum Kind: String, Sendable { case storage, bridge, vxlan }

    public var peer: String
    public var kind: Kind
    /// `storage_nic san0`, `bridge br-priv`, `vxlan vx0`: the object on this host.
    public var network: String
    /// The device the probe leaves through (SO_BINDTODEVICE); nil when routing chooses (a VXLAN
    /// without an underlay device).
    public var device: String?
    /// This host's address the probe comes from.
    public var source: String
    /// The peer's address, from the file.
    public var address: String
    /// The device whose MTU sets the size (the NIC, the bridge, the VXLAN device).
    public var mtuDevice: String
    /// The declared MTU of `mtuDevice`; nil when the file leaves it to the kernel (then it is read).
    public var declaredMTU: UInt32?
    /// Added to the MTU: a VXLAN underlay carries the overlay's frames plus their encapsulation.
    public var overhead: UInt32

    /// The size of the probe packet (IP header included) that must pass.
    public func size(mtu: UInt32) -> UInt32 { mtu + overhead }
}

extension Topology {
    /// Everything this host shares with the other hosts of the file, in host order: storage subnets,
    /// bridges with per-host addresses in one subnet, VXLAN VTEPs. Only addresses from the file.
    public static func peerTargets(from host: String, states: [String: DesiredState], hosts: [String]) -> [PeerTarget] {
        guard let mine = states[host] else { return [] }
        var targets: [PeerTarget] = []
        let peers = hosts.filter { $0 != host }.compactMap { states[$0] }
        /// Each of this device's addresses against the peers' addresses in the same subnet.
        func subnetTargets(_ kind: PeerTarget.Kind, _ object: String, device: String, addresses: [DesiredAddress], mtu: UInt32?,
                           theirs: (DesiredState) -> [DesiredAddress]) {
            for address in addresses.map(\.prefix) {
                for peer in peers {
                    for other in theirs(peer).map(\.prefix) where other.family == address.family && address.network.contains(other) && other.bytes != address.bytes {
                        targets.append(PeerTarget(peer: peer.host, kind: kind, network: "\(object) \(device)", device: device, source: address.address,
                                                  address: other.address, mtuDevice: device, declaredMTU: mtu, overhead: 0))
                    }
                }
            }
        }
        for nic in mine.nics {
            // A storage role on a VLAN or bond takes that device's MTU when it declares none itself.
            let mtu = nic.mtu ?? mine.vlans.first { $0.name == nic.name }?.mtu ?? mine.bonds.first { $0.name == nic.name }?.mtu
            subnetTargets(.storage, "storage_nic", device: nic.name, addresses: nic.addresses, mtu: mtu) { $0.nics.flatMap(\.addresses) }
        }
        for bridge in mine.bridges {
            subnetTargets(.bridge, "bridge", device: bridge.name, addresses: bridge.addresses, mtu: bridge.mtu) { $0.bridges.flatMap(\.addresses) }
        }
        for vxlan in mine.vxlans {
            guard let local = vxlan.info.local else { continue }
            // Outer IP + UDP + VXLAN + inner Ethernet: 50 bytes over IPv4, 70 over IPv6.
            let overhead: UInt32 = local.utf8.contains(UInt8(ascii: ":")) ? 70 : 50
            for peer in peers {
                guard let theirs = peer.vxlans.first(where: { $0.name == vxlan.name || $0.info.vni == vxlan.info.vni }),
                      let remote = theirs.info.local, remote != local else { continue }
                targets.append(PeerTarget(peer: peer.host, kind: .vxlan, network: "vxlan \(vxlan.name)", device: vxlan.info.device,
                                          source: local, address: remote, mtuDevice: vxlan.name, declaredMTU: vxlan.mtu, overhead: overhead))
            }
        }
        return targets
    }

    /// Every address the file gives any host: the only addresses `check --peers` may send to.
    public static func poolAddresses(_ states: [String: DesiredState]) -> Set<String> {
        var all = Set<String>()
        for state in states.values {
            state.allAddresses.forEach { all.insert($0.address.prefix.address) }
            state.vxlans.forEach { if let local = $0.info.local { all.insert(local) } }
        }
        return all
    }
}
