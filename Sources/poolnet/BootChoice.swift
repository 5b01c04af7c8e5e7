import Engine
import Foundation
import Storage

/// What `apply --at-boot` applies. A change reverted by confirm-or-revert (or `rollback`) must not
/// come back at the next boot just because the rejected file is still in place: when the journal
/// shows that this content's last apply was reverted and it was not accepted since, the last
/// accepted content (kept in the state directory) is applied instead, or nothing.
enum BootChoice {
    static func decide(file: String, state: StateDirectory, options: HostOptions) throws -> (file: String?, reason: String) {
        let markers = ApplyMarkers(directory: state, scope: options.scope)
        let accepted = state.exists(markers.acceptedName) ? state.file(markers.acceptedName) : nil
        guard let content = FileManager.default.contents(atPath: file) else {
            if let accepted { return (accepted, "\(file) cannot be read; applying the last accepted file") }
            throw Failure.other("cannot read \(file) at boot, and no file was accepted before")
        }
        let sha = SHA256.hex(Array(content))
        let reading = try Journal(directory: state).read()
        reading.warnings.forEach(warn)
        let same = ApplyHistory.entries(reading.records).filter { $0.netns == options.netns && $0.start.fileSHA256 == sha }
        guard let rejected = same.last(where: { $0.completedRevert != nil }),
              !same.contains(where: { $0.isAccepted && $0.start.time > rejected.start.time }),
              let revert = rejected.completedRevert else {
            return (file, "the file in place at boot")
        }
        let why = "\(file) (sha256:\(sha.prefix(12))) was reverted at \(Timestamp.rfc3339(revert.time)) and not accepted since"
        guard let accepted, let kept = FileManager.default.contents(atPath: accepted) else {
            return (nil, why + "; no file was accepted before it")
        }
        return (accepted, why + "; applying the last accepted file (sha256:\(SHA256.hex(Array(kept)).prefix(12)))")
    }
}
