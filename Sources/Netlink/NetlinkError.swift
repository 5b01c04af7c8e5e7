import SystemCalls

/// A failed netlink operation: what was asked, the errno (a type with its name), and the
/// kernel's extended-ACK text.
public struct NetlinkError: Error, Sendable, CustomStringConvertible, Equatable {
    public var operation: String
    public var errno: Errno
    public var kernelMessage: String?

    public init(operation: String, errno: Errno, kernelMessage: String? = nil) {
        self.operation = operation
        self.errno = errno
        self.kernelMessage = kernelMessage
    }

    /// From a raw code, as libc and the kernel's ack hand it over.
    public init(operation: String, errno: Int32, kernelMessage: String? = nil) {
        self.init(operation: operation, errno: Errno(errno), kernelMessage: kernelMessage)
    }

    public var description: String {
        var text = "\(operation): \(errno.text) (errno \(errno.code))"
        if let kernelMessage, !kernelMessage.isEmpty { text += "; kernel: \(kernelMessage)" }
        return text
    }
}

/// What became of one request of a batch.
public enum RequestOutcome: Sendable, Equatable {
    /// The kernel acknowledged it.
    case acknowledged
    /// The kernel refused it.
    case failed(NetlinkError)
    /// It was sent, but the socket failed before its answer came (ENOBUFS on a large batch, say):
    /// the kernel may have done it. A caller undoes it as if it had (undo reads before it acts).
    case unknown(NetlinkError)
    /// It never left: an earlier batch failed and the caller asked to stop at the first failure.
    case notSent

    public var error: NetlinkError? {
        switch self {
        case .failed(let error), .unknown(let error): return error
        case .acknowledged, .notSent: return nil
        }
    }
}
