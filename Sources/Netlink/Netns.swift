import CMnl
#if canImport(Glibc)
import Glibc
#endif

/// Runs work inside a named network namespace (`ip netns add NAME` → /run/netns/NAME).
///
/// setns(2) switches only the calling thread, and netlink sockets stay bound to the namespace they
/// were opened in, so the work runs on a dedicated thread that never returns to a shared pool.
public enum NetworkNamespace {
    public static func path(of name: String) -> String { "/run/netns/\(name)" }

    /// A namespace is named as `ip netns` names it: a file directly under /run/netns. A name with a
    /// slash (`../../proc/PID/ns/net`), `.`, `..` or a leading dash is refused.
    public static func checkName(_ name: String) throws {
        let allowed = name.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x2D || c == 0x2E || c == 0x5F || c == 0x40 || c == 0x3A
        }
        guard !name.isEmpty, name.utf8.count <= 255, allowed, name != ".", name != "..", !name.hasPrefix("-") else {
            throw NetlinkError(operation: "use network namespace \"\(name)\" (a name under /run/netns: letters, digits, . _ - @ :)", errno: EINVAL)
        }
    }

    public static func run<T>(_ name: String?, _ body: @escaping () throws -> T) throws -> T {
        guard let name else { return try body() }
        try checkName(name)
        let fd = open(path(of: name), O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw NetlinkError(operation: "open network namespace \(name) (\(path(of: name)))", errno: errno)
        }
        defer { close(fd) }
        var outcome: Result<T, Error>?
        let job = Job(fd: fd) { entered in
            outcome = entered.flatMap { Result { try body() } }
        }
        try job.runAndWait()
        return try outcome!.get()
    }

    /// A thread that enters the namespace, runs the work, and ends.
    private final class Job {
        let fd: Int32
        let work: (Result<Void, Error>) -> Void

        init(fd: Int32, work: @escaping (Result<Void, Error>) -> Void) {
            self.fd = fd
            self.work = work
        }

        func runAndWait() throws {
            var thread = pthread_t()
            let unmanaged = Unmanaged.passRetained(self)
            let rc = pthread_create(&thread, nil, { raw in
                let job = Unmanaged<Job>.fromOpaque(raw!).takeRetainedValue()
                if setns(job.fd, poolnet_clone_newnet()) != 0 {
                    job.work(.failure(NetlinkError(operation: "setns", errno: errno)))
                } else {
                    job.work(.success(()))
                }
                return nil
            }, unmanaged.toOpaque())
            guard rc == 0 else {
                unmanaged.release()
                throw NetlinkError(operation: "pthread_create", errno: rc)
            }
            pthread_join(thread, nil)
        }
    }
}
