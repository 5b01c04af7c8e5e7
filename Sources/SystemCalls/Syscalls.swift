#if canImport(Glibc)
import Glibc
#endif

/// Every libc call of poolnet outside the Netlink target, as swift-system's Syscalls.swift: thin,
/// Swift-typed wrappers (a failure is an `Errno`), retrying EINTR where the call may be repeated.
/// No other file of poolnet (save Netlink's, which owns libmnl and libnl) calls C; a test
/// (`SyscallPlacementTests`) greps the sources to keep it so.
public enum Syscall {
    static var errno: Int32 { Glibc.errno }
    static func strerror(_ code: Int32) -> String { String(cString: Glibc.strerror(code)) }

    public static var processID: Int32 { getpid() }

    // MARK: Files

    public static func open(_ path: String, _ flags: Int32, _ mode: mode_t = 0) throws(Errno) -> Int32 {
        let fd = Glibc.open(path, flags, mode)
        guard fd >= 0 else { throw .current }
        return fd
    }

    public static func close(_ fd: Int32) { _ = Glibc.close(fd) }

    /// One read into `buffer`, retried on EINTR: the count, 0 at end of file.
    public static func read(_ fd: Int32, into buffer: inout [UInt8]) throws(Errno) -> Int {
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n >= 0 { return n }
            if errno != EINTR { throw .current }
        }
    }

    /// A directory to open files under with `readSmallFile(_:in:)`, `path` relative to `directory`
    /// (openat): the kernel walks its path once for all the files opened under it.
    public static func openDirectory(_ path: String, in directory: Int32 = AT_FDCWD) throws(Errno) -> Int32 {
        let fd = openat(directory, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw .current }
        return fd
    }

    /// The whole content of a small file (a /proc/sys value), `path` relative to `directory`
    /// (openat; an absolute path ignores it); nil when it cannot be opened or read. No stat and
    /// no Foundation buffers: poolnet reads thousands of these per run. A read shorter than the
    /// buffer is the end, which saves a second read per file: a regular file's reads come short
    /// only at its end, and a /proc/sys handler answers a read at a nonzero offset with nothing.
    public static func readSmallFile(_ path: String, in directory: Int32 = AT_FDCWD) -> [UInt8]? {
        let fd = openat(directory, path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { _ = Glibc.close(fd) }
        var bytes: [UInt8] = []
        let complete = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { buffer -> Bool in
            while true {
                let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
                if n > 0 { bytes.append(contentsOf: buffer[..<n]) }
                if n >= 0 && n < buffer.count { return true }
                if n < 0 && errno != EINTR { return false }
            }
        }
        return complete ? bytes : nil
    }

    /// One read at `offset` (no retry): the count, 0 when nothing was read or it failed.
    public static func pread(_ fd: Int32, into buffer: inout [UInt8], at offset: Int = 0) -> Int {
        max(0, buffer.withUnsafeMutableBytes { Glibc.pread(fd, $0.baseAddress, $0.count, off_t(offset)) })
    }

    /// One write(2) of all the bytes, no loop: sysfs attributes take a value per write. The count written.
    public static func writeOnce(_ fd: Int32, _ bytes: [UInt8]) throws(Errno) -> Int {
        let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        guard n >= 0 else { throw .current }
        return n
    }

    /// Writes until every byte is written (retrying EINTR and short writes); the count written,
    /// less than `bytes.count` only when a write made no progress.
    public static func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws(Errno) -> Int {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, bytes.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .current
            }
            if n == 0 { break }
            offset += n
        }
        return offset
    }

    public static func fsync(_ fd: Int32) throws(Errno) { guard Glibc.fsync(fd) == 0 else { throw .current } }

    public static func ftruncate(_ fd: Int32, _ size: Int) throws(Errno) { guard Glibc.ftruncate(fd, off_t(size)) == 0 else { throw .current } }

    /// The inode of what `path` names (symlinks followed).
    public static func inode(_ path: String) throws(Errno) -> UInt64 {
        var info = stat()
        guard stat(path, &info) == 0 else { throw .current }
        return UInt64(info.st_ino)
    }

    /// The inode of what opening `path` gives (O_PATH, then fstat). For /proc/self/exe under valgrind
    /// only an open is handed the client's executable (stat sees valgrind's tool).
    public static func openedInode(_ path: String) throws(Errno) -> UInt64 {
        let pathOnly: Int32 = 0o10000000  // O_PATH (x86-64, arm64), which Glibc's module leaves out
        let fd = Glibc.open(path, pathOnly | O_CLOEXEC)
        guard fd >= 0 else { throw .current }
        defer { Glibc.close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .current }
        return UInt64(info.st_ino)
    }

    /// What stat says of a file: its kind, size, owner and permission bits.
    public struct FileStatus: Sendable {
        public var isDirectory: Bool
        public var isRegularFile: Bool
        public var isSymbolicLink: Bool
        public var size: Int
        public var owner: UInt32
        /// The permission bits (mode & 0o7777).
        public var permissions: UInt32

        init(_ info: stat) {
            let kind = info.st_mode & S_IFMT
            (isDirectory, isRegularFile, isSymbolicLink) = (kind == S_IFDIR, kind == S_IFREG, kind == S_IFLNK)
            (size, owner, permissions) = (Int(info.st_size), info.st_uid, UInt32(info.st_mode & 0o7777))
        }
    }

    /// fstat of an open file.
    public static func status(_ fd: Int32) throws(Errno) -> FileStatus {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .current }
        return FileStatus(info)
    }

    /// lstat: a symbolic link is described, not followed.
    public static func linkStatus(_ path: String) throws(Errno) -> FileStatus {
        var info = stat()
        guard lstat(path, &info) == 0 else { throw .current }
        return FileStatus(info)
    }

    public static func makeDirectory(_ path: String, _ mode: mode_t) throws(Errno) { guard mkdir(path, mode) == 0 else { throw .current } }

    public static func unlink(_ path: String) throws(Errno) { guard Glibc.unlink(path) == 0 else { throw .current } }

    /// rename(2): replaces `to` in one step.
    public static func rename(_ from: String, to: String) throws(Errno) { guard Glibc.rename(from, to) == 0 else { throw .current } }

    public static var effectiveUserID: UInt32 { geteuid() }

    /// The login name of `uid` (getpwuid), nil when the user database has none.
    public static func userName(_ uid: UInt32) -> String? {
        guard let entry = getpwuid(uid), let name = entry.pointee.pw_name else { return nil }
        return String(cString: name)
    }

    /// Sleeps this thread (usleep).
    public static func sleep(_ seconds: Double) { _ = usleep(useconds_t((seconds * 1_000_000).rounded())) }

    /// The index of the interface `name` in this thread's namespace, nil when there is none.
    public static func interfaceIndex(_ name: String) -> Int32? {
        let index = if_nametoindex(name)
        return index == 0 ? nil : Int32(index)
    }

    // MARK: Addresses

    /// The 4 or 16 bytes of an IPv4 dotted quad or an IPv6 address (inet_pton), nil when it is neither.
    /// A dotted quad is read from its bytes (`parseIPv4`): inet_pton's C string cost 3,000
    /// instructions an address, and pool files and the ownership record hold thousands.
    public static func parseAddress(_ text: String) -> [UInt8]? {
        var text = text
        if let quad = text.withUTF8({ parseIPv4($0) }) { return quad }
        return parseAddressByLibc(text)
    }

    /// inet_pton alone (what `parseAddress` does with anything `parseIPv4` declines).
    static func parseAddressByLibc(_ text: String) -> [UInt8]? {
        if text.contains(":") {
            var a = in6_addr()
            guard inet_pton(AF_INET6, text, &a) == 1 else { return nil }
            return withUnsafeBytes(of: &a) { Array($0) }
        }
        // inet_pton accepts only dotted quads, which is the strictness we want.
        var a = in_addr()
        guard inet_pton(AF_INET, text, &a) == 1 else { return nil }
        return withUnsafeBytes(of: &a) { Array($0) }
    }

    /// inet_ntop of 4 or 16 bytes; nil when it fails.
    public static func formatAddress(_ bytes: [UInt8]) -> String? {
        // A dotted quad is spelled from its bytes, as inet_ntop spells it ("%u.%u.%u.%u"): the
        // libc call, its buffer and the copies were ~3,500 instructions an address, and the
        // ownership record spells 2,000 of them per write.
        guard bytes.count == 4 else { return formatAddressByLibc(bytes) }
        var text: [UInt8] = []
        text.reserveCapacity(15)
        for (i, byte) in bytes.enumerated() {
            if i > 0 { text.append(UInt8(ascii: ".")) }
            if byte >= 100 { text.append(UInt8(ascii: "0") + byte / 100) }
            if byte >= 10 { text.append(UInt8(ascii: "0") + byte / 10 % 10) }
            text.append(UInt8(ascii: "0") + byte % 10)
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// inet_ntop alone (what `formatAddress` does with anything but four bytes).
    /// Nil for any other length than 4 or 16 (inet_ntop would read past the bytes).
    static func formatAddressByLibc(_ bytes: [UInt8]) -> String? {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let family = bytes.count == 4 ? AF_INET : AF_INET6
        let ok = bytes.withUnsafeBytes { raw in
            inet_ntop(family, raw.baseAddress, &buffer, socklen_t(buffer.count)) != nil
        }
        // The text up to its NUL, as String(cString:) read it (inet_ntop writes ASCII).
        return ok ? String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : nil
    }

    // MARK: Locks

    /// flock(LOCK_EX | LOCK_NB): throws EWOULDBLOCK while another open file description holds it.
    public static func tryLockExclusive(_ fd: Int32) throws(Errno) { guard flock(fd, LOCK_EX | LOCK_NB) == 0 else { throw .current } }

    public static func unlock(_ fd: Int32) { _ = flock(fd, LOCK_UN) }

    // MARK: Signals and processes

    public static func kill(_ pid: Int32, _ signal: Int32) throws(Errno) { guard Glibc.kill(pid, signal) == 0 else { throw .current } }

    /// Where a child's stdin, stdout or stderr goes.
    public enum Stdio: Sendable {
        case null
        /// Duplicated onto the standard descriptor in the child.
        case descriptor(Int32)
    }

    /// How a child starts.
    public struct SpawnOptions: Sendable {
        public var stdin = Stdio.null, stdout = Stdio.null, stderr = Stdio.null
        /// `KEY=value` strings; nil: this process's environment.
        public var environment: [String]?
        /// Its own session (POSIX_SPAWN_SETSID): no controlling terminal, not in the caller's session.
        public var newSession = false
        /// Closes every descriptor above 2 in the child, close-on-exec or not.
        public var closeInherited = false
        /// Looks the program up in PATH (posix_spawnp).
        public var searchPath = false
        public init() {}
    }

    /// posix_spawn(p): the child's pid.
    public static func spawn(_ path: String, _ argv: [String], _ options: SpawnOptions) throws(Errno) -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (fd, stdio) in [(Int32(0), options.stdin), (1, options.stdout), (2, options.stderr)] {
            switch stdio {
            case .null: posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0)
            case .descriptor(let source): posix_spawn_file_actions_adddup2(&actions, source, fd)
            }
        }
        if options.closeInherited {
            for fd in openDescriptors() where fd > 2 && fcntl(fd, F_GETFD) >= 0 { posix_spawn_file_actions_addclose(&actions, fd) }
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        if options.newSession { posix_spawnattr_setflags(&attributes, Int16(0x80)) }  // POSIX_SPAWN_SETSID
        var pid: pid_t = 0
        let rc = withCStrings(argv) { args in
            func start(_ envp: UnsafePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
                options.searchPath ? posix_spawnp(&pid, path, &actions, &attributes, args, envp)
                    : posix_spawn(&pid, path, &actions, &attributes, args, envp)
            }
            guard let environment = options.environment else { return start(environ) }
            return withCStrings(environment) { start($0) }
        }
        guard rc == 0 else { throw Errno(rc) }
        return pid
    }

    /// How a child ended (wait4's status), its peak resident set (ru_maxrss, KiB) and the CPU
    /// time it used (user + system, seconds: on a shared machine steadier than the wall time).
    public struct Exit: Sendable {
        public var rawStatus: Int32
        public var maxRSSKB: Int
        public var cpuSeconds: Double = 0
        /// The system part of `cpuSeconds`: the kernel's work on the child's behalf (its dumps,
        /// its file reads, its start), the floor a program's own code cannot lower.
        public var systemSeconds: Double = 0
        /// The exit code, or 128 + the signal that killed it (as a shell reports it).
        public var status: Int32 { (rawStatus & 0x7f) == 0 ? (rawStatus >> 8) & 0xff : 128 + (rawStatus & 0x7f) }
    }

    /// Waits for the child `pid` (wait4, retried on EINTR).
    public static func wait(_ pid: Int32) -> Exit {
        var raw: Int32 = 0
        var usage = rusage()
        while wait4(pid, &raw, 0, &usage) < 0 && errno == EINTR {}
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return Exit(rawStatus: raw, maxRSSKB: usage.ru_maxrss, cpuSeconds: seconds(usage.ru_utime) + seconds(usage.ru_stime),
                    systemSeconds: seconds(usage.ru_stime))
    }

    /// A pipe whose ends are not inherited by children (close-on-exec): (read end, write end).
    public static func pipe() throws(Errno) -> (read: Int32, write: Int32) {
        var fds: [Int32] = [0, 0]
        guard Glibc.pipe(&fds) == 0 else { throw .current }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return (fds[0], fds[1])
    }

    /// Readiness of one descriptor in a poll set.
    public struct Poll: Sendable {
        public var fd: Int32
        public var ready = false
        public init(fd: Int32) { self.fd = fd }
    }

    /// poll(2) for input on the descriptors with fd >= 0: how many are ready, 0 on timeout, -1
    /// when a signal interrupted it (poll again).
    public static func pollInput(_ set: inout [Poll], milliseconds: Int32) throws(Errno) -> Int {
        try poll(&set, events: Int16(POLLIN), milliseconds: milliseconds)
    }

    /// poll(2) for output on one descriptor (a connect finishing): 1 ready, 0 timed out, -1 interrupted.
    public static func pollOutput(_ fd: Int32, milliseconds: Int32) throws(Errno) -> Int {
        var set = [Poll(fd: fd)]
        return try poll(&set, events: Int16(POLLOUT), milliseconds: milliseconds)
    }

    static func poll(_ set: inout [Poll], events: Int16, milliseconds: Int32) throws(Errno) -> Int {
        var fds = set.map { pollfd(fd: $0.fd, events: events, revents: 0) }
        let ready = Glibc.poll(&fds, nfds_t(fds.count), milliseconds)
        if ready < 0 {
            if errno == EINTR { return -1 }
            throw .current
        }
        for k in set.indices { set[k].ready = fds[k].revents != 0 }
        return Int(ready)
    }

    // MARK: Sockets (the path and peer probes)

    public static func socket(_ family: Int32, _ type: Int32, _ proto: Int32) throws(Errno) -> Int32 {
        let fd = Glibc.socket(family, type, proto)
        guard fd >= 0 else { throw .current }
        return fd
    }

    /// SO_BINDTODEVICE: the socket sends and receives through `device` only.
    public static func bindToDevice(_ fd: Int32, _ device: String) throws(Errno) {
        let bound = device.withCString { setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, $0, socklen_t(strlen($0) + 1)) }
        guard bound == 0 else { throw .current }
    }

    public static func setOption(_ fd: Int32, level: Int32, _ name: Int32, _ value: Int32) throws(Errno) {
        var value = value
        guard setsockopt(fd, level, name, &value, socklen_t(MemoryLayout<Int32>.size)) == 0 else { throw .current }
    }

    /// SO_ERROR: the outcome of a non-blocking connect (0: connected).
    public static func pendingError(_ fd: Int32) -> Int32 {
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
        return error
    }

    public static func connect(_ fd: Int32, _ address: SocketAddress) throws(Errno) {
        guard address.withSockaddr({ Glibc.connect(fd, $0, address.length) }) == 0 else { throw .current }
    }

    public static func bind(_ fd: Int32, _ address: SocketAddress) throws(Errno) {
        guard address.withSockaddr({ Glibc.bind(fd, $0, address.length) }) == 0 else { throw .current }
    }

    public static func send(_ fd: Int32, _ bytes: [UInt8], to address: SocketAddress) throws(Errno) -> Int {
        let n = bytes.withUnsafeBytes { b in address.withSockaddr { Glibc.sendto(fd, b.baseAddress, b.count, 0, $0, address.length) } }
        guard n >= 0 else { throw .current }
        return n
    }

    /// One datagram into `buffer` (no retry): its size and where it came from.
    public static func receive(_ fd: Int32, into buffer: inout [UInt8]) throws(Errno) -> (count: Int, from: SocketAddress) {
        var from = SocketAddress()
        var fromLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let count = buffer.withUnsafeMutableBytes { bytes in
            withUnsafeMutablePointer(to: &from.storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(fd, bytes.baseAddress, bytes.count, 0, $0, &fromLength) }
            }
        }
        guard count >= 0 else { throw .current }
        return (count, from)
    }

    // MARK: Time

    /// CLOCK_MONOTONIC in seconds: for timeouts and durations, never for dates.
    public static func monotonic() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }

    // MARK: syslog

    public enum Priority: Sendable {
        case error, warning
        var value: Int32 { self == .error ? LOG_ERR : LOG_WARNING }
    }

    nonisolated(unsafe) static let ident = strdup("poolnet")

    /// Sends lines to syslog as "poolnet[pid]", facility daemon.
    public static func syslog(_ lines: [(Priority, String)]) {
        // openlog keeps the pointer: the ident must outlive the call.
        openlog(ident, LOG_PID, LOG_DAEMON)
        defer { closelog() }
        // A C string through the va_list: a Swift String is no C vararg.
        for (priority, line) in lines { line.withCString { text in withVaList([text]) { vsyslog(priority.value, "%s", $0) } } }
    }

    // MARK: glob

    /// Paths matching a shell pattern, in glob's order; none when nothing matches or glob fails.
    public static func glob(_ pattern: String) -> [String] {
        var result = glob_t()
        defer { globfree(&result) }
        guard Glibc.glob(pattern, 0, nil, &result) == 0 else { return [] }
        return (0..<Int(result.gl_pathc)).compactMap { result.gl_pathv[$0].map { String(cString: $0) } }
    }

    // MARK: Helpers

    /// The descriptors open in this process (from /proc/self/fd).
    static func openDescriptors() -> [Int32] {
        guard let dir = opendir("/proc/self/fd") else { return [] }
        defer { closedir(dir) }
        var fds: [Int32] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if let fd = Int32(name) { fds.append(fd) }
        }
        return fds
    }

    /// A NULL-terminated C string array for the duration of `body`.
    static func withCStrings<R>(_ strings: [String], _ body: (UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
        var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
        pointers.append(nil)
        defer { pointers.forEach { free($0) } }
        return pointers.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
    }
}

/// An IPv4 or IPv6 socket address built from text.
public struct SocketAddress: Sendable {
    var storage = sockaddr_storage()
    public var family: Int32 { Int32(storage.ss_family) }
    var length: socklen_t { socklen_t(family == AF_INET6 ? MemoryLayout<sockaddr_in6>.size : MemoryLayout<sockaddr_in>.size) }

    init() {}

    public init?(_ text: String, port: UInt16) {
        /// Copies a filled-in sockaddr_in or sockaddr_in6 into the storage.
        func store<T>(_ address: T) { withUnsafeBytes(of: address) { src in withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: src) } } }
        if text.contains(":") {
            var sa = sockaddr_in6()
            sa.sin6_family = sa_family_t(AF_INET6)
            sa.sin6_port = port.bigEndian
            guard inet_pton(AF_INET6, text, &sa.sin6_addr) == 1 else { return nil }
            store(sa)
        } else {
            var sa = sockaddr_in()
            sa.sin_family = sa_family_t(AF_INET)
            sa.sin_port = port.bigEndian
            guard inet_pton(AF_INET, text, &sa.sin_addr) == 1 else { return nil }
            store(sa)
        }
    }

    func withSockaddr<T>(_ body: (UnsafePointer<sockaddr>) -> T) -> T {
        withUnsafePointer(to: storage) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1, body) }
    }

    /// Whether `other` is the same address (the port is ignored).
    public func matches(_ other: SocketAddress) -> Bool {
        guard other.family == family else { return false }
        let size = family == AF_INET6 ? 16 : 4
        let offset = family == AF_INET6 ? MemoryLayout<sockaddr_in6>.offset(of: \.sin6_addr)! : MemoryLayout<sockaddr_in>.offset(of: \.sin_addr)!
        return withUnsafeBytes(of: storage) { a in withUnsafeBytes(of: other.storage) { b in
            a[offset..<offset + size].elementsEqual(b[offset..<offset + size])
        } }
    }
}
