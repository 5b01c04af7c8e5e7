/// The MTU a device has when it is not declared: what the kernel gives a device the file creates
/// without an `mtu`. A bond starts at 1500 (and sets its members to its own); a VLAN takes its
/// parent's; a storage NIC or any other existing link is whatever the host has (`live`).
extension DesiredState {
    /// The kernel's default MTU of a new bond (ETH_DATA_LEN).
    public static let newBondMTU: UInt32 = 1500

    /// The MTU `name` has or will have, with why, following VLANs the file declares without an
    /// mtu down to their parents; nil when only the host knows and `live` does not say.
    /// `fromHost`: the value comes from the live host, not from the file (validation cannot
    /// judge it; plan does). `decidedBy`: the device whose MTU it is (the end of the VLAN chain).
    public func undeclaredMTU(of name: String, live: (String) -> UInt32? = { _ in nil }) -> (mtu: UInt32, why: String, fromHost: Bool, decidedBy: String)? {
        var name = name
        var chain: [String] = []
        // Bounded by the number of VLANs: a loop of VLAN parents is another check's error.
        for _ in 0...vlans.count {
            if let nic = nics.first(where: { $0.name == name }), let mtu = nic.mtu { return (mtu, why(chain, "storage_nic \(name) declares mtu \(mtu)"), false, name) }
            if let bond = bonds.first(where: { $0.name == name }) {
                if let mtu = bond.mtu { return (mtu, why(chain, "bond \(name) declares mtu \(mtu)"), false, name) }
                if let mtu = live(name) { return (mtu, why(chain, "bond \(name) has mtu \(mtu)"), true, name) }
                return (Self.newBondMTU, why(chain, "bond \(name) declares no mtu, and the kernel creates a bond at \(Self.newBondMTU)"), false, name)
            }
            if let vlan = vlans.first(where: { $0.name == name }) {
                if let mtu = vlan.mtu { return (mtu, why(chain, "vlan \(name) declares mtu \(mtu)"), false, name) }
                if let mtu = live(name) { return (mtu, why(chain, "vlan \(name) has mtu \(mtu)"), true, name) }
                chain.append(name)
                name = vlan.link
                continue
            }
            return live(name).map { ($0, why(chain, "\(name) has mtu \($0) on this host"), true, name) }
        }
        return nil
    }

    private func why(_ chain: [String], _ end: String) -> String {
        chain.isEmpty ? end : chain.map { "vlan \($0) declares no mtu and takes its parent's" }.joined(separator: "; ") + "; " + end
    }
}
