/// A failed system call's errno, as a type: its symbolic name and the C library's text for it.
public struct Errno: Error, Equatable, Hashable, Sendable, CustomStringConvertible {
    public var code: Int32
    public init(_ code: Int32) { self.code = code }

    /// The errno of the calling thread right now (read it before anything else can change it).
    public static var current: Errno { Errno(Syscall.errno) }

    /// "ENOENT", or "errno 999" for a code this table does not know.
    public var name: String { Self.names[code] ?? "errno \(code)" }
    /// strerror's text: "No such file or directory".
    public var text: String { Syscall.strerror(code) }
    public var description: String { text }

    public static let EPERM = Errno(1), ENOENT = Errno(2), EINTR = Errno(4), EIO = Errno(5), EBADF = Errno(9)
    public static let EAGAIN = Errno(11), EACCES = Errno(13), EEXIST = Errno(17), ENODEV = Errno(19), EISDIR = Errno(21)
    public static let EINVAL = Errno(22), ELOOP = Errno(40), EPROTONOSUPPORT = Errno(93), EAFNOSUPPORT = Errno(97)
    public static let EADDRNOTAVAIL = Errno(99), ENOBUFS = Errno(105), EHOSTUNREACH = Errno(113), EINPROGRESS = Errno(115)
    public static let EMSGSIZE = Errno(90), ECANCELED = Errno(125), ENOSPC = Errno(28), ESRCH = Errno(3)
    public static let EOPNOTSUPP = Errno(95)
    /// EAGAIN's other name on Linux.
    public static let EWOULDBLOCK = EAGAIN

    static let names: [Int32: String] = [
        1: "EPERM", 2: "ENOENT", 3: "ESRCH", 4: "EINTR", 5: "EIO", 6: "ENXIO", 7: "E2BIG", 8: "ENOEXEC", 9: "EBADF",
        10: "ECHILD", 11: "EAGAIN", 12: "ENOMEM", 13: "EACCES", 14: "EFAULT", 16: "EBUSY", 17: "EEXIST", 18: "EXDEV",
        19: "ENODEV", 20: "ENOTDIR", 21: "EISDIR", 22: "EINVAL", 23: "ENFILE", 24: "EMFILE", 26: "ETXTBSY", 27: "EFBIG",
        28: "ENOSPC", 30: "EROFS", 32: "EPIPE", 34: "ERANGE", 36: "ENAMETOOLONG", 38: "ENOSYS", 39: "ENOTEMPTY",
        40: "ELOOP", 61: "ENODATA", 71: "EPROTO", 75: "EOVERFLOW", 88: "ENOTSOCK", 90: "EMSGSIZE", 92: "ENOPROTOOPT",
        93: "EPROTONOSUPPORT", 95: "EOPNOTSUPP", 97: "EAFNOSUPPORT", 98: "EADDRINUSE", 99: "EADDRNOTAVAIL",
        100: "ENETDOWN", 101: "ENETUNREACH", 103: "ECONNABORTED", 104: "ECONNRESET", 105: "ENOBUFS", 110: "ETIMEDOUT",
        111: "ECONNREFUSED", 113: "EHOSTUNREACH", 114: "EALREADY", 115: "EINPROGRESS", 125: "ECANCELED",
    ]
}
