import Foundation
import HostState

/// Parsers for `multipathd show … raw format` (multipath-tools 0.9). Fields are separated by `|`.
public enum MultipathOutput {
    public static let pathFormat = "%d|%w|%i|%t|%T|%o|%m|%R|%r"
    public static let mapFormat = "%n|%w|%d|%N|%Q|%f"

    public static func paths(_ text: String) -> [MultipathPath] {
        rows(text, minimum: 7).map { f in
            MultipathPath(device: f[0], wwid: f[1], hctl: f[2], dmState: f[3], checkerState: f[4], map: f[6])
        }
    }

    public static func maps(_ text: String) -> [MultipathMap] {
        rows(text, minimum: 4).map { f in
            MultipathMap(name: f[0], wwid: f[1], dmDevice: f[2], activePaths: Int(f[3]) ?? 0)
        }
    }

    /// The `defaults { … }` section of `multipathd show config`, values unquoted.
    public static func defaults(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        var inside = false
        for raw in text.split(separator: "\n") {
            let line = Substring(raw).trimmingSpaces.trimmingCharacters(in: .whitespaces)
            if !inside { inside = line == "defaults {"; continue }
            if line == "}" { break }
            let parts = line.split(separator: " ", maxSplits: 1)
            guard parts.count == 2 else { continue }
            result[String(parts[0])] = parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
        return result
    }

    /// Rows with at least `minimum` fields; multipathd answers `ok` (or nothing) when there are none.
    static func rows(_ text: String, minimum: Int) -> [[String]] {
        text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingSpaces }
            return fields.count >= minimum ? fields : nil
        }
    }
}

extension Substring {
    var trimmingSpaces: String { String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed()) }
}
