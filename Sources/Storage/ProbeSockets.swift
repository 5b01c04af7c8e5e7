import Foundation
import SystemCalls

/// poolnet's probes over the socket wrappers of SystemCalls: a TCP connect from a NIC (storage paths)
/// and an ICMP echo with don't-fragment from a device and source address (jumbo frames, peers).
enum ProbeSockets {
    /// nil when `address:port` accepts a connection from `nic`; otherwise what went wrong.
    static func tcpConnect(from nic: String, to address: String, port: UInt16, timeout: Double) -> String? {
        guard let target = SocketAddress(address, port: port) else { return "bad address \(address)" }
        let fd: Int32
        do { fd = try Syscall.socket(target.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0) } catch {
            return "socket: \(error.text)"
        }
        defer { Syscall.close(fd) }
        // Bound to the NIC, as open-iscsi binds its sessions (SO_BINDTODEVICE).
        if let problem = bindToDevice(fd, nic) { return problem }
        do { try Syscall.connect(fd, target); return nil } catch {
            guard error == .EINPROGRESS else { return "TCP connect failed: \(error.text)" }
        }
        // A poll error falls through to SO_ERROR.
        if (try? Syscall.pollOutput(fd, milliseconds: Int32(timeout * 1000))) == 0 { return "TCP connect timed out (\(Int(timeout))s)" }
        let error = Syscall.pendingError(fd)
        return error == 0 ? nil : "TCP connect failed: \(errorText(error))"
    }

    /// One ICMP echo of exactly `size` bytes (IP header included) with don't-fragment
    /// (IP_MTU_DISCOVER = IP_PMTUDISC_DO, or its IPv6 twin), from `device` and `source` when given.
    /// An unprivileged ping socket when the system allows one, a raw socket otherwise (root).
    static func echo(from device: String?, source: String?, to address: String, size: UInt32, timeout: Double) -> EchoOutcome {
        guard let target = SocketAddress(address, port: 0) else { return .failed("bad address \(address)") }
        let v6 = target.family == AF_INET6
        let header = v6 ? 48 : 28  // IP + ICMP headers
        guard Int(size) >= header else { return .failed("size \(size) is below the \(header) bytes of the headers") }
        let proto = Int32(v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP)
        var raw = false
        let fd: Int32
        do throws(Errno) {
            do { fd = try Syscall.socket(target.family, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), proto) } catch {
                guard [Errno.EACCES, .EPERM, .EPROTONOSUPPORT].contains(error) else { throw error }
                raw = true
                fd = try Syscall.socket(target.family, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), proto)
            }
        } catch {
            return .failed("ICMP socket: \(error.text) (needs root or net.ipv4.ping_group_range)")
        }
        defer { Syscall.close(fd) }
        if let device, let problem = bindToDevice(fd, device) { return .failed(problem) }
        if let source {
            guard let local = SocketAddress(source, port: 0), local.family == target.family else { return .failed("bad source \(source)") }
            do { try Syscall.bind(fd, local) } catch { return .failed("cannot use source \(source): \(error.text)") }
        }
        let dontFragment: Int32 = 2  // IP_PMTUDISC_DO / IPV6_PMTUDISC_DO
        do {
            try v6 ? Syscall.setOption(fd, level: Int32(IPPROTO_IPV6), IPV6_MTU_DISCOVER, dontFragment)
                   : Syscall.setOption(fd, level: Int32(IPPROTO_IP), IP_MTU_DISCOVER, dontFragment)
        } catch { return .failed("don't-fragment: \(error.text)") }
        if v6 { try? Syscall.setOption(fd, level: Int32(IPPROTO_IPV6), IPV6_DONTFRAG, 1) }
        // Identifier: the kernel picks it for a ping socket; a raw socket sees every reply, so its own.
        let identifier = UInt16.random(in: 1...UInt16.max)
        let sequence = UInt16.random(in: 1...UInt16.max)
        var packet = [UInt8](repeating: 0, count: Int(size) - (v6 ? 40 : 20))
        packet[0] = v6 ? 128 : 8
        packet[4] = UInt8(identifier >> 8); packet[5] = UInt8(identifier & 0xFF)
        packet[6] = UInt8(sequence >> 8); packet[7] = UInt8(sequence & 0xFF)
        for i in 8..<packet.count { packet[i] = UInt8(truncatingIfNeeded: i) }
        if !v6 {  // ICMPv6's checksum covers a pseudo-header: the kernel computes it
            let sum = checksum(packet)
            packet[2] = UInt8(sum >> 8); packet[3] = UInt8(sum & 0xFF)
        }
        let start = monotonic()
        do { _ = try Syscall.send(fd, packet, to: target) } catch {
            if error == .EMSGSIZE { return .tooBig }
            // The probe itself is wrong (no such device, no permission, a bad source): say so.
            if [Errno.EINVAL, .EPERM, .EACCES, .ENODEV, .EADDRNOTAVAIL, .EAFNOSUPPORT].contains(error) { return .failed("send: \(error.text)") }
            // The path is (for now) unusable: unreachable, down, or the neighbour queue full (ENOBUFS).
            return .noReply(error.text)
        }
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let left = timeout - (monotonic() - start)
            guard left > 0 else { return .noReply(nil) }
            var set = [Syscall.Poll(fd: fd)]
            let ready = (try? Syscall.pollInput(&set, milliseconds: Int32(max(1, left * 1000)))) ?? 0
            if ready < 0 { continue }  // interrupted
            guard ready > 0 else { return .noReply(nil) }
            let count: Int, from: SocketAddress
            do { (count, from) = try Syscall.receive(fd, into: &buffer) } catch {
                if error == .EINTR || error == .EAGAIN { continue }
                return .noReply(error.text)  // e.g. the neighbour never answered ARP: EHOSTUNREACH
            }
            guard target.matches(from) else { continue }
            // A raw IPv4 socket hands over the IP header too.
            let offset = raw && !v6 ? Int(buffer[0] & 0x0F) * 4 : 0
            guard count >= offset + 8 else { continue }
            let reply = buffer[offset] == (v6 ? 129 : 0)
            let id = UInt16(buffer[offset + 4]) << 8 | UInt16(buffer[offset + 5])
            let seq = UInt16(buffer[offset + 6]) << 8 | UInt16(buffer[offset + 7])
            if reply && seq == sequence && (!raw || id == identifier) { return .reply(rtt: monotonic() - start) }
        }
    }

    static func bindToDevice(_ fd: Int32, _ device: String) -> String? {
        do { try Syscall.bindToDevice(fd, device); return nil } catch { return "cannot bind to \(device): \(error.text)" }
    }

    static func checksum(_ bytes: [UInt8]) -> UInt16 {
        var sum: UInt32 = 0
        var i = 0
        while i + 1 < bytes.count { sum += UInt32(bytes[i]) << 8 | UInt32(bytes[i + 1]); i += 2 }
        if i < bytes.count { sum += UInt32(bytes[i]) << 8 }
        while sum >> 16 != 0 { sum = (sum & 0xFFFF) + (sum >> 16) }
        return ~UInt16(sum)
    }

    static func monotonic() -> Double { Syscall.monotonic() }

    static func errorText(_ code: Int32) -> String { Errno(code).text }
}

/// What one echo found.
public enum EchoOutcome: Sendable, Equatable {
    case reply(rtt: Double)
    /// No answer in time (dropped on the way, or the neighbour is unreachable: the reason, when the kernel gave one).
    case noReply(String?)
    /// Refused locally: larger than this host's own path MTU (EMSGSIZE with don't-fragment).
    case tooBig
    /// The probe could not be sent at all (no such device, no permission).
    case failed(String)
}
