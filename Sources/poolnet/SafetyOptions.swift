import ArgumentParser
import Engine
import Foundation
import SystemCalls
import Storage

extension HostOptions {
    /// The state directory, checked (root's, 0700, no symlink) and created when missing.
    func state() throws -> StateDirectory {
        do { return try StateDirectory(stateDirectory) } catch let error as StateError { throw Failure.other(error.description) }
    }

    /// ` --netns NAME` for the commands poolnet suggests, or nothing.
    var netnsFlag: String { netns.map { " --netns \($0)" } ?? "" }
}

/// `--confirm-within`: `90`, `90s`, `1.5m`, `1h` → seconds, between 2 s and 24 h.
func parseConfirmWindow(_ text: String) throws -> TimeInterval {
    let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600]
    var number = Substring(text)
    var factor = 1.0
    if let last = number.last, let unit = units[last] { factor = unit; number = number.dropLast() }
    guard let value = Double(number), value.isFinite, value > 0 else {
        throw ValidationError("--confirm-within takes a duration such as 60s, 5m or 1h, not \"\(text)\"")
    }
    let seconds = value * factor
    guard seconds >= 2, seconds <= 86_400 else {
        throw ValidationError("--confirm-within must be between 2s and 24h, not \"\(text)\"")
    }
    return seconds
}

/// `plan`, `check` and `apply` say when an earlier apply died midway (its in-flight marker is
/// there and no apply holds the lock): its changes may be half made.
func noteInterruptedApply(_ options: HostOptions) {
    guard (try? Syscall.linkStatus(options.stateDirectory)) != nil, let state = try? StateDirectory(options.stateDirectory),
          let marker = ApplyMarkers(directory: state, scope: options.scope).inFlight(), !ApplyLock.isHeld(netns: options.netns) else { return }
    warn("an apply (\(marker.id), started \(marker.started)) was interrupted before it finished; `poolnet rollback\(options.netnsFlag)` undoes what it did, `poolnet apply` completes the file")
}
