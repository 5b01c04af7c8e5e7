import Foundation

/// The socket calls of poolnet's probes, in one place: a TCP connect from a NIC (storage paths)
/// and an ICMP echo with don't-fragment from a device and source address (jumbo frames, peers).
enum ProbeSockets {
    /// nil when `address:port` accepts a connection from `nic`; otherwise what went wrong.
    static func tcpConnect(from nic: String, to address: String, port: UInt16, timeout: Double) -> String? {
        guard let target = SocketAddress(address, port: port) else { return "bad address \(address)" }
        let fd = socket(target.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return "socket: \(errorText(errno))" }
        defer { close(fd) }
        // Bound to the NIC, as open-iscsi binds its sessions (SO_BINDTODEVICE).
        if let problem = bindToDevice(fd, nic) { return problem }
        if target.connect(fd) == 0 { return nil }
        guard errno == EINPROGRESS else { return "TCP connect failed: \(errorText(errno))" }
        var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        let ready = poll(&pfd, 1, Int32(timeout * 1000))
        if ready == 0 { return "TCP connect timed out (\(Int(timeout))s)" }
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
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
        var fd = socket(target.family, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), proto)
        if fd < 0 && (errno == EACCES || errno == EPERM || errno == EPROTONOSUPPORT) {
            raw = true
            fd = socket(target.family, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), proto)
        }
        guard fd >= 0 else { return .failed("ICMP socket: \(errorText(errno)) (needs root or net.ipv4.ping_group_range)") }
        defer { close(fd) }
        if let device, let problem = bindToDevice(fd, device) { return .failed(problem) }
        if let source {
            guard let local = SocketAddress(source, port: 0), local.family == target.family else { return .failed("bad source \(source)") }
            guard local.bind(fd) == 0 else { return .failed("cannot use source \(source): \(errorText(errno))") }
        }
        var dontFragment: Int32 = 2  // IP_PMTUDISC_DO / IPV6_PMTUDISC_DO
        let set = v6 ? setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_MTU_DISCOVER, &dontFragment, 4)
                     : setsockopt(fd, Int32(IPPROTO_IP), IP_MTU_DISCOVER, &dontFragment, 4)
        guard set == 0 else { return .failed("don't-fragment: \(errorText(errno))") }
        if v6 {
            var on: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_DONTFRAG, &on, 4)
        }
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
        let sent = packet.withUnsafeBytes { target.sendto(fd, $0) }
        if sent < 0 {
            let e = errno
            if e == EMSGSIZE { return .tooBig }
            // The probe itself is wrong (no such device, no permission, a bad source): say so.
            if [EINVAL, EPERM, EACCES, ENODEV, EADDRNOTAVAIL, EAFNOSUPPORT].contains(e) { return .failed("send: \(errorText(e))") }
            // The path is (for now) unusable: unreachable, down, or the neighbour queue full (ENOBUFS).
            return .noReply(errorText(e))
        }
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let left = timeout - (monotonic() - start)
            guard left > 0 else { return .noReply(nil) }
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pfd, 1, Int32(max(1, left * 1000)))
            if ready < 0 && errno == EINTR { continue }
            guard ready > 0 else { return .noReply(nil) }
            var from = sockaddr_storage()
            var fromLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let count = buffer.withUnsafeMutableBytes { bytes in
                withUnsafeMutablePointer(to: &from) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(fd, bytes.baseAddress, bytes.count, 0, $0, &fromLength) }
                }
            }
            if count < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                return .noReply(errorText(errno))  // e.g. the neighbour never answered ARP: EHOSTUNREACH
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
        let bound = device.withCString { setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, $0, socklen_t(strlen($0) + 1)) }
        return bound == 0 ? nil : "cannot bind to \(device): \(errorText(errno))"
    }

    static func checksum(_ bytes: [UInt8]) -> UInt16 {
        var sum: UInt32 = 0
        var i = 0
        while i + 1 < bytes.count { sum += UInt32(bytes[i]) << 8 | UInt32(bytes[i + 1]); i += 2 }
        if i < bytes.count { sum += UInt32(bytes[i]) << 8 }
        while sum >> 16 != 0 { sum = (sum & 0xFFFF) + (sum >> 16) }
        return ~UInt16(sum)
    }

    static func monotonic() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }

    static func errorText(_ code: Int32) -> String { String(cString: strerror(code)) }
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

/// An IPv4 or IPv6 socket address built from text.
struct SocketAddress {
    var storage = sockaddr_storage()
    let family: Int32
    let length: socklen_t

    init?(_ text: String, port: UInt16) {
        var bytes = sockaddr_storage()
        /// Copies a filled-in sockaddr_in or sockaddr_in6 into the storage.
        func store<T>(_ address: T) { withUnsafeBytes(of: address) { src in withUnsafeMutableBytes(of: &bytes) { $0.copyMemory(from: src) } } }
        if text.contains(":") {
            var sa = sockaddr_in6()
            sa.sin6_family = sa_family_t(AF_INET6)
            sa.sin6_port = port.bigEndian
            guard inet_pton(AF_INET6, text, &sa.sin6_addr) == 1 else { return nil }
            store(sa)
            (family, length) = (AF_INET6, socklen_t(MemoryLayout<sockaddr_in6>.size))
        } else {
            var sa = sockaddr_in()
            sa.sin_family = sa_family_t(AF_INET)
            sa.sin_port = port.bigEndian
            guard inet_pton(AF_INET, text, &sa.sin_addr) == 1 else { return nil }
            store(sa)
            (family, length) = (AF_INET, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
        storage = bytes
    }

    private func withSockaddr<T>(_ body: (UnsafePointer<sockaddr>) -> T) -> T {
        withUnsafePointer(to: storage) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1, body) }
    }

    func connect(_ fd: Int32) -> Int32 { withSockaddr { Glibc.connect(fd, $0, length) } }
    func bind(_ fd: Int32) -> Int32 { withSockaddr { Glibc.bind(fd, $0, length) } }
    func sendto(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int { withSockaddr { Glibc.sendto(fd, bytes.baseAddress, bytes.count, 0, $0, length) } }

    /// Whether a received packet came from this address (the port is ignored).
    func matches(_ other: sockaddr_storage) -> Bool {
        guard Int32(other.ss_family) == family else { return false }
        let size = family == AF_INET6 ? 16 : 4
        let offset = family == AF_INET6 ? MemoryLayout<sockaddr_in6>.offset(of: \.sin6_addr)! : MemoryLayout<sockaddr_in>.offset(of: \.sin_addr)!
        return withUnsafeBytes(of: storage) { a in withUnsafeBytes(of: other) { b in
            a[offset..<offset + size].elementsEqual(b[offset..<offset + size])
        } }
    }
}
