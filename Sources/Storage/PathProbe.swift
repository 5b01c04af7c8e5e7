import Foundation

/// Probes a storage path from one NIC: a TCP connect to the portal bound to the NIC, and a
/// don't-fragment ping of MTU-28 bytes (an MTU mismatch on a switch is the classic silent failure).
public struct PathProbe: Sendable {
    public var runner: any CommandRunner
    public var timeout: Double

    public init(runner: any CommandRunner = ProcessRunner(), timeout: Double = 3) {
        self.runner = runner
        self.timeout = timeout
    }

    /// nil when the portal accepts a connection from `nic`; otherwise what went wrong.
    public func tcp(from nic: String, to address: String, port: UInt16) -> String? {
        let family = address.contains(":") ? AF_INET6 : AF_INET
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return "socket: \(String(cString: strerror(errno)))" }
        defer { close(fd) }
        // Bound to the NIC, as open-iscsi binds its sessions (SO_BINDTODEVICE).
        let bound = nic.withCString { setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, $0, socklen_t(strlen($0) + 1)) }
        guard bound == 0 else { return "cannot bind to \(nic): \(String(cString: strerror(errno)))" }
        var result: Int32
        if family == AF_INET {
            var sa = sockaddr_in()
            sa.sin_family = sa_family_t(AF_INET)
            sa.sin_port = port.bigEndian
            guard inet_pton(AF_INET, address, &sa.sin_addr) == 1 else { return "bad address \(address)" }
            result = withUnsafePointer(to: &sa) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        } else {
            var sa = sockaddr_in6()
            sa.sin6_family = sa_family_t(AF_INET6)
            sa.sin6_port = port.bigEndian
            guard inet_pton(AF_INET6, address, &sa.sin6_addr) == 1 else { return "bad address \(address)" }
            result = withUnsafePointer(to: &sa) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) } }
        }
        if result == 0 { return nil }
        guard errno == EINPROGRESS else { return "TCP connect failed: \(String(cString: strerror(errno)))" }
        var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        let ready = poll(&pfd, 1, Int32(timeout * 1000))
        if ready == 0 { return "TCP connect timed out (\(Int(timeout))s)" }
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
        return error == 0 ? nil : "TCP connect failed: \(String(cString: strerror(error)))"
    }

    /// nil when a don't-fragment echo of `mtu` bytes (IP header included) gets an answer.
    public func jumbo(from nic: String, to address: String, mtu: UInt32) -> String? {
        let payload = Int(mtu) - (address.contains(":") ? 48 : 28)
        let argv = ["ping", address.contains(":") ? "-6" : "-4", "-M", "do", "-s", String(payload), "-c", "1", "-W", String(Int(timeout)), "-I", nic, address]
        let result = runner.run(argv, timeout: timeout + 2)
        if result.status == 0 { return nil }
        let said = (result.stderr + result.stdout).split(separator: "\n").first { $0.contains("ping:") || $0.contains("rror") || $0.contains("too long") }
        return "path MTU to \(address) < \(mtu) (ping -M do -s \(payload) failed\(said.map { ": \($0.replacingOccurrences(of: "ping: ", with: ""))" } ?? ""))"
    }
}
