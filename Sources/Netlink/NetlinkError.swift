#if canImport(Glibc)
import Glibc
#endif

/// A failed netlink operation: what was asked, the errno, and the kernel's extended-ACK text.
public struct NetlinkError: Error, Sendable, CustomStringConvertible, Equatable {
    public var operation: String
    public var errno: Int32
    public var kernelMessage: String?

    public init(operation: String, errno: Int32, kernelMessage: String? = nil) {
        self.operation = operation
        self.errno = errno
        self.kernelMessage = kernelMessage
    }

    public var description: String {
        let reason = String(cString: strerror(errno))
        var text = "\(operation): \(reason) (errno \(errno))"
        if let kernelMessage, !kernelMessage.isEmpty { text += "; kernel: \(kernelMessage)" }
        return text
    }
}
