import Foundation
import SystemCalls
import HostState

/// ifupdown / ifupdown2 configuration: `/etc/network/interfaces` and the files it `source`s
/// (globs) or `source-directory`s. A stanza is configuration ifupdown applies at boot and on every
/// `ifreload -a`, so a device it names is claimed whether or not it is up now.
struct IfupdownInterfaces {
    /// One place a device is named, with where.
    struct Mention {
        var device: String
        var file: String
        var line: Int
        var what: String
    }

    static let mainFile = "/etc/network/interfaces"
    static let maxDepth = 8
    static let maxFiles = 256
    /// Stanza attributes that name other devices, and what naming one there makes of it.
    static let memberAttributes: [String: String] = [
        "bridge-ports": "port of bridge", "bridge_ports": "port of bridge", "bond-slaves": "member of bond",
        "bond_slaves": "member of bond", "vlan-raw-device": "lower device of vlan", "vlan_raw_device": "lower device of vlan",
    ]

    let roots: ForeignManagerRoots
    private(set) var mentions: [Mention] = []
    private var seen = Set<String>()

    init(roots: ForeignManagerRoots) {
        self.roots = roots
        read(Self.mainFile, depth: 0)
    }

    /// Whether ifupdown is configured at all on this host (the main file exists).
    var present: Bool { FileManager.default.fileExists(atPath: roots.local(Self.mainFile)) }

    private mutating func read(_ hostPath: String, depth: Int) {
        guard depth <= Self.maxDepth, seen.count < Self.maxFiles, seen.insert(hostPath).inserted,
              let text = ForeignFile.text(roots.local(hostPath)) else { return }
        let directory = (hostPath as NSString).deletingLastPathComponent
        var stanza: String?
        var pending = ""
        var pendingLine = 0
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            // A trailing backslash continues the line.
            if pending.isEmpty { pendingLine = number + 1 }
            if raw.hasSuffix("\\") { pending += raw.dropLast() + " "; continue }
            let line = (pending + raw).trimmingCharacters(in: .whitespaces)
            pending = ""
            guard !line.isEmpty, !line.hasPrefix("#") else { continue }
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            let mark = (file: hostPath, line: pendingLine)
            switch words[0] {
            case "iface":
                stanza = words.count > 1 ? words[1] : nil
                if let name = stanza {
                    mentions.append(Mention(device: name, file: mark.file, line: mark.line, what: "iface \(name)"))
                    // `iface eth1.10`: ifupdown creates VLAN 10 on eth1.
                    if let dot = name.lastIndex(of: "."), UInt16(name[name.index(after: dot)...]) != nil {
                        mentions.append(Mention(device: String(name[..<dot]), file: mark.file, line: mark.line, what: "lower device of vlan \(name)"))
                    }
                }
            case "source":
                stanza = nil
                for pattern in words.dropFirst() { for path in paths(matching: resolve(pattern, in: directory)) { read(path, depth: depth + 1) } }
            case "source-directory", "source-dir":
                stanza = nil
                for dir in words.dropFirst() {
                    let hostDir = resolve(dir, in: directory)
                    let names = (try? FileManager.default.contentsOfDirectory(atPath: roots.local(hostDir))) ?? []
                    // run-parts' rule: only names of letters, digits, '_' and '-'.
                    for name in names.sorted() where name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }) {
                        read("\(hostDir)/\(name)", depth: depth + 1)
                    }
                }
            case "mapping", "auto", "rename":
                stanza = nil
            default:
                if words[0].hasPrefix("allow-") { stanza = nil; continue }
                guard let owner = stanza, let role = Self.memberAttributes[words[0]] else { continue }
                for device in words.dropFirst() where device != "none" {
                    mentions.append(Mention(device: device, file: mark.file, line: mark.line, what: "\(role) \(owner) (\(words[0]))"))
                }
            }
        }
    }

    private func resolve(_ path: String, in directory: String) -> String {
        path.hasPrefix("/") ? path : "\(directory)/\(path)"
    }

    /// Host paths matching a glob, looked up under the injected roots.
    private func paths(matching hostPattern: String) -> [String] {
        let local = roots.local(hostPattern)
        return Syscall.glob(local).map(roots.host).sorted()
    }

    /// ifupdown2's record of the interfaces it configured: `/var/tmp/network/ifstatenew` (its
    /// default `state_dir`), a series of pickled iface objects. Read without unpickling: each
    /// object's `name` key is followed by its value as a short string (opcode 0x8c, length, UTF-8).
    static let statePath = "/var/tmp/network/ifstatenew"
    private static let nameKey: [UInt8] = [0x8c, 0x04] + Array("name".utf8) + [0x94, 0x8c]

    lazy var configuredNow: Set<String> = {
        guard let handle = FileHandle(forReadingAtPath: roots.local(Self.statePath)),
              let data = try? handle.read(upToCount: ForeignFile.maxBytes) else { return [] }
        try? handle.close()
        let bytes = [UInt8](data), key = Self.nameKey
        var names = Set<String>()
        var i = 0
        while i + key.count < bytes.count {
            if bytes[i] == key[0], Array(bytes[i..<(i + key.count)]) == key {
                let length = Int(bytes[i + key.count]), start = i + key.count + 1
                if start + length <= bytes.count { names.insert(String(decoding: bytes[start..<(start + length)], as: UTF8.self)) }
                i = start + length
            } else {
                i += 1
            }
        }
        return names
    }()

    mutating func claims(for devices: Set<String>) -> [ForeignClaim] {
        var byDevice: [String: [Mention]] = [:]
        for mention in mentions where devices.contains(mention.device) { byDevice[mention.device, default: []].append(mention) }
        return byDevice.keys.sorted().map { device in
            let found = byDevice[device]!
            var evidence = found.map { "\($0.file):\($0.line): \($0.what)" }.joined(separator: "; ")
            if configuredNow.contains(device) { evidence += "; configured now per \(Self.statePath)" }
            // Classic ifupdown (0.8) keeps one state file per interface it brought up.
            let classic = "/run/network/ifstate.\(device)"
            if FileManager.default.fileExists(atPath: roots.local(classic)) { evidence += "; up per \(classic)" }
            let places = found.map { "\($0.file):\($0.line)" }.joined(separator: ", ")
            return ForeignClaim(device: device, manager: .ifupdown, evidence: evidence,
                                remedy: "poolnet never edits ifupdown's files: `ifdown \(device)`, remove it at \(places), then `ifreload -a`")
        }
    }
}
