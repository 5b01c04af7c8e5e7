import Foundation
import HostState
import Netlink
import Storage
import Topology

/// One network to one peer, probed.
public struct PeerResult: Sendable {
    public var target: PeerTarget
    /// The MTU the size comes from: declared in the file, or read from the device when the file
    /// leaves it to the kernel; nil when the device is absent.
    public var mtu: UInt32?
    /// The frame (IP packet) that must pass: the MTU, plus the encapsulation on a VXLAN underlay.
    public var size: UInt32?
    public var measurement: PathProbe.Measurement

    public var ok: Bool { measurement.passes }
}

/// `check --peers`: from this host, every other host on every network the file says they share.
/// Parallel across targets, bounded by a deadline for the whole run and a budget of echoes per
/// target; never sends to an address the pool file does not give a host.
public struct PeerCheck {
    public var deadline: Double
    public var probe = PathProbe()

    public init(deadline: Double) { self.deadline = deadline }

    public func run(_ targets: [PeerTarget], allowed: Set<String>, engine: Engine, live: CurrentState) throws -> [PeerResult] {
        if let stray = targets.first(where: { !allowed.contains($0.address) }) {
            throw PeerCheckError("refusing to probe \(stray.address): not an address of the pool file")
        }
        let links = live.linksByName()
        let end = PathProbe.now() + deadline
        let results = Results(count: targets.count)
        let group = DispatchGroup()
        let slots = DispatchSemaphore(value: 32)
        for (i, target) in targets.enumerated() {
            guard let mtu = target.declaredMTU ?? links[target.mtuDevice]?.mtu else {
                results.set(i, PeerResult(target: target, mtu: nil, size: nil, measurement: .unprobed("\(target.mtuDevice) is absent on this host")))
                continue
            }
            let size = target.size(mtu: mtu)
            slots.wait()
            group.enter()
            let (netns, probe) = (engine.netns, probe)
            Thread.detachNewThread {
                defer { slots.signal(); group.leave() }
                // Sockets open in the namespace of the thread that opens them.
                let measured = (try? NetworkNamespace.run(netns) {
                    probe.measure(from: target.device, source: target.source, to: target.address, size: size, deadline: end)
                }) ?? .unprobed("cannot enter network namespace \(netns ?? "")")
                results.set(i, PeerResult(target: target, mtu: mtu, size: size, measurement: measured))
            }
        }
        group.wait()
        return results.all
    }

    /// Results filled in by the probe threads, in target order.
    final class Results: @unchecked Sendable {
        private let lock = NSLock()
        private var values: [PeerResult?]

        init(count: Int) { values = Array(repeating: nil, count: count) }
        func set(_ i: Int, _ value: PeerResult) { lock.withLock { values[i] = value } }
        var all: [PeerResult] { lock.withLock { values.compactMap { $0 } } }
    }
}

public struct PeerCheckError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
