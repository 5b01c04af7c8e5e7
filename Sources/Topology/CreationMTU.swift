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
        // Bounded by the number of links: a loop of VLAN parents is another check's error.
        for _ in 0...links.count {
            if let nic = nics.first(where: { $0.name == name }), let mtu = nic.mtu { return (mtu, why(chain, "storage_nic \(name) declares mtu \(mtu)"), false, name) }
            // A name declared twice (an error reported elsewhere) is judged by the link whose rule
            // decides most: a kernel default, then a parent's, then the host's.
            guard let link = links.allNamed(name).min(by: { $0.creationMTU.rank < $1.creationMTU.rank }) else { return live(name).map { ($0, why(chain, "\(name) has mtu \($0) on this host"), true, name) } }
            let label = link.label
            switch link.creationMTU {
            case .asTheHostHasIt:
                return live(name).map { ($0, why(chain, "\(name) has mtu \($0) on this host"), true, name) }
            case .kernelDefault(let mtu):
                if let declared = link.mtu { return (declared, why(chain, "\(label) declares mtu \(declared)"), false, name) }
                if let found = live(name) { return (found, why(chain, "\(label) has mtu \(found)"), true, name) }
                return (mtu, why(chain, "\(label) declares no mtu, and the kernel creates a \(type(of: link).fileKind) at \(mtu)"), false, name)
            case .parents(let parent):
                if let declared = link.mtu { return (declared, why(chain, "\(label) declares mtu \(declared)"), false, name) }
                if let found = live(name) { return (found, why(chain, "\(label) has mtu \(found)"), true, name) }
                chain.append(label)
                name = parent
            }
        }
        return nil
    }

    private func why(_ chain: [String], _ end: String) -> String {
        chain.isEmpty ? end : chain.map { "\($0) declares no mtu and takes its parent's" }.joined(separator: "; ") + "; " + end
    }
}

extension CreationMTU {
    /// Which rule decides when two links share a name: the lowest rank.
    var rank: Int {
        switch self {
        case .kernelDefault: return 0
        case .parents: return 1
        case .asTheHostHasIt: return 2
        }
    }
}
