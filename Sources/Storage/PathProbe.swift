import Foundation

/// Probes a path from one device: a TCP connect to a storage portal bound to the NIC, and
/// don't-fragment ICMP echoes at the MTU the file promises (an MTU mismatch on a switch is the
/// classic silent failure). The socket calls live in ProbeSockets.swift.
public struct PathProbe: Sendable {
    public var timeout: Double

    public init(timeout: Double = 3) {
        self.timeout = timeout
    }

    /// nil when the portal accepts a connection from `nic`; otherwise what went wrong.
    public func tcp(from nic: String, to address: String, port: UInt16) -> String? {
        ProbeSockets.tcpConnect(from: nic, to: address, port: port, timeout: timeout)
    }

    /// nil when a don't-fragment echo of `mtu` bytes (IP header included) gets an answer.
    public func jumbo(from nic: String, to address: String, mtu: UInt32) -> String? {
        var last = EchoOutcome.noReply(nil)
        for _ in 0..<2 {
            last = echo(from: nic, to: address, size: mtu, timeout: timeout)
            if case .reply = last { return nil }
            if case .failed = last { break }
        }
        switch last {
        case .tooBig: return "path MTU to \(address) < \(mtu) (this host refuses a don't-fragment echo of \(mtu) bytes: its route or NIC MTU is smaller)"
        case .failed(let why): return "path MTU to \(address) not probed: \(why)"
        case .noReply(let why): return "path MTU to \(address) < \(mtu) (a don't-fragment echo of \(mtu) bytes got no answer\(why.map { ": \($0)" } ?? ""))"
        case .reply: return nil
        }
    }

    /// One don't-fragment ICMP echo of `size` bytes, IP header included.
    public func echo(from device: String?, source: String? = nil, to address: String, size: UInt32, timeout: Double) -> EchoOutcome {
        ProbeSockets.echo(from: device, source: source, to: address, size: size, timeout: timeout)
    }

    /// What `measure` found on one path.
    public struct Measurement: Sendable, Equatable {
        /// A small echo (or the full-size one) got an answer.
        public var reachable: Bool
        /// The full size got an answer.
        public var passes: Bool
        /// The largest size (IP header included) that got an answer; nil when unreachable.
        public var largest: UInt32?
        /// False when the deadline or the probe budget stopped the search before it converged
        /// (`largest` is then a lower bound).
        public var exact: Bool
        /// Round trip of the first answered echo, in seconds.
        public var rtt: Double?
        public var probes: Int
        /// Why it is unreachable or could not be probed, in the kernel's words when it gave some.
        public var note: String?

        /// A path that could not be probed at all, and why.
        public static func unprobed(_ note: String) -> Measurement {
            Measurement(reachable: false, passes: false, largest: nil, exact: true, rtt: nil, probes: 0, note: note)
        }
    }

    /// Reachability, round trip and the largest don't-fragment frame that passes, bounded: the full
    /// size twice, a small echo twice, then a binary search (at most `budget` echoes in all), all
    /// before `deadline` (a CLOCK_MONOTONIC time, as `PathProbe.now()`).
    public func measure(from device: String?, source: String?, to address: String, size: UInt32,
                        deadline: Double, budget: Int = 36) -> Measurement {
        var result = Measurement(reachable: false, passes: false, largest: nil, exact: true, rtt: nil, probes: 0, note: nil)
        func send(_ bytes: UInt32, wait: Double, attempts: Int) -> EchoOutcome {
            var last = EchoOutcome.noReply("not probed before the deadline")
            for _ in 0..<attempts {
                let left = deadline - Self.now()
                guard left > 0.01, result.probes < budget else { result.exact = false; return last }
                result.probes += 1
                last = echo(from: device, source: source, to: address, size: bytes, timeout: min(wait, left))
                switch last {
                case .reply, .tooBig, .failed: return last
                case .noReply: continue
                }
            }
            return last
        }
        let full = send(size, wait: 1, attempts: 2)
        switch full {
        case .reply(let rtt):
            return Measurement(reachable: true, passes: true, largest: size, exact: true, rtt: rtt, probes: result.probes, note: nil)
        case .failed(let why):
            result.note = why
            return result
        case .noReply, .tooBig:
            break
        }
        let v6 = address.contains(":")
        let small: UInt32 = min(size, v6 ? 104 : 84)  // ping's default 56-byte payload
        switch send(small, wait: 1, attempts: 2) {
        case .reply(let rtt):
            result.reachable = true
            result.rtt = rtt
        case .noReply(let why):
            result.note = why ?? "no answer to \(result.probes) echoes"
            return result
        case .failed(let why):
            result.note = why
            return result
        case .tooBig:
            result.note = "this host refuses even a \(small)-byte don't-fragment echo"
            return result
        }
        if case .tooBig = full { result.note = "this host's own route or NIC MTU is below \(size)" }
        // Largest that passes, in [small, size): a silent drop costs a wait, so it adapts to the rtt.
        var (low, high) = (small, size)
        let wait = min(1, max(0.25, (result.rtt ?? 0) * 20))
        while high - low > 1 {
            let middle = low + (high - low) / 2
            switch send(middle, wait: wait, attempts: 2) {
            case .reply: low = middle
            case .noReply, .tooBig: high = middle
            case .failed(let why): result.note = why; result.exact = false; high = low + 1
            }
            if !result.exact { break }
        }
        result.largest = low
        return result
    }

    /// Monotonic clock seconds, the time base of `measure`'s deadline.
    public static func now() -> Double { ProbeSockets.monotonic() }
}
