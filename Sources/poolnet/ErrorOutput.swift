import ArgumentParser
import Engine
import Foundation
import SystemCalls
import Netlink
import Topology

/// Why a command failed, in one word: the `kind` of the `--json` error object and the `reason`
/// label of `poolnet_check_success 0` in the textfile metrics.
enum FailureKind: String, Encodable {
    /// The command line itself (an unknown option, a missing argument, a bad value).
    case usage
    /// The pool file does not parse or validate (or cannot be read).
    case invalidFile = "invalid_file"
    /// The file is valid but does not name this host.
    case hostNotInFile = "host_not_in_file"
    /// Root (CAP_NET_ADMIN) is needed and this process lacks it.
    case permission
    /// Reading the host's state failed (a missing namespace, a refused netlink request).
    case hostState = "host_state"
    /// apply failed and rolled back.
    case applyFailed = "apply_failed"
    /// An apply or rollback failed and could not put everything back (exit 3).
    case hostLeftChanged = "host_left_changed"
    /// Another apply holds the lock.
    case locked
    case other

    init(_ error: Error) {
        switch error {
        case let failure as Failure:
            switch failure {
            case .topology: self = .invalidFile
            case .hostNotInFile: self = .hostNotInFile
            case .other: self = .other
            }
        case is TopologyErrors: self = .invalidFile
        case is ValidationError: self = .usage
        case is ApplyFailure: self = .applyFailed
        case is HostLeftChanged: self = .hostLeftChanged
        case is ApplyLock.Busy: self = .locked
        case is Privilege.Required: self = .permission
        case _ where Privilege.isPermissionDenied(error): self = .permission
        case is NetlinkError: self = .hostState
        default: self = .other
        }
    }
}

/// `--json` of any command that failed (schema "poolnet.error/v1"): printed on stdout instead of
/// the command's own object, with the same exit code (1, or 3 when the host was left changed);
/// the message also goes to stderr.
struct ErrorOutput: Encodable {
    struct Step: Encodable {
        var step: String
        var reason: String
    }

    var schema = "poolnet.error/v1"
    var command: String
    var exitCode: Int32
    var kind: FailureKind
    var message: String
    /// file:line:col problems, when the pool file is at fault.
    var problems: [ValidateOutput.Problem]?
    /// apply: the steps of which only part took effect before it stopped (undone with the rest).
    var partlyApplied: [Step]?
    /// apply: the steps undone after the failure, and those whose undo failed too.
    var rolledBack: [String]?
    var notRolledBack: [Step]?

    init(command: String, exitCode: Int32, error: Error, message: String, kind: FailureKind? = nil) {
        self.command = command
        self.exitCode = exitCode
        self.kind = kind ?? FailureKind(error)
        self.message = message
        switch error {
        case Failure.topology(let errors), Failure.hostNotInFile(let errors): problems = errors.errors.map(ValidateOutput.Problem.init)
        case let failure as ApplyFailure:
            partlyApplied = failure.partlyApplied.isEmpty ? nil : failure.partlyApplied.map { Step(step: $0.change.line, reason: $0.error.description) }
            rolledBack = failure.rolledBack.map(\.line)
            notRolledBack = failure.notRolledBack.map { Step(step: $0.change.line, reason: $0.reason.description) }
        default: break
        }
    }
}

/// What a run without root is told: that root is needed, not the errno of the first refusal
/// (a lock file, a state directory, setns). Commands that always need it are checked before they
/// start (`Privileged`); any other refusal met without CAP_NET_ADMIN is explained the same way.
enum Privilege {
    static let capNetAdmin = 12

    struct Required: Error, CustomStringConvertible {
        var command: String
        var description: String { Privilege.message(command: command, detail: "this process lacks CAP_NET_ADMIN") }
    }

    /// CAP_NET_ADMIN in this process's effective set (/proc/self/status, CapEff).
    static var hasNetAdmin: Bool {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("CapEff:") }),
              let mask = UInt64(line.dropFirst("CapEff:".count).trimmingCharacters(in: .whitespaces), radix: 16) else { return Syscall.effectiveUserID == 0 }
        return mask & (1 << UInt64(capNetAdmin)) != 0
    }

    /// A refusal that root would not have met: EPERM/EACCES from the kernel or the file system,
    /// while this process lacks CAP_NET_ADMIN.
    static func isPermissionDenied(_ error: Error) -> Bool {
        guard !hasNetAdmin else { return false }
        if let netlink = error as? NetlinkError { return netlink.errno == .EPERM || netlink.errno == .EACCES }
        if let errno = (error as? ApplyFailure)?.stepError?.errno { return errno == .EPERM || errno == .EACCES }
        if let cocoa = error as? CocoaError { return [.fileWriteNoPermission, .fileReadNoPermission].contains(cocoa.code) }
        let text = "\(error)"
        return text.contains(Errno.EPERM.text) || text.contains(Errno.EACCES.text)
    }

    /// The message for a refused run: what is needed, then the refusal itself.
    static func explain(_ error: Error, command: String) -> String {
        var detail = "\(error)"
        if let cocoa = error as? CocoaError, let path = cocoa.userInfo[NSFilePathErrorKey] as? String {
            detail = "cannot write \(path): \(Errno.EACCES.text)"
        }
        return message(command: command, detail: detail)
    }

    static func message(command: String, detail: String) -> String {
        "\(command) needs root (CAP_NET_ADMIN; with --netns also CAP_SYS_ADMIN): run it with sudo or as root (\(detail))"
    }
}
