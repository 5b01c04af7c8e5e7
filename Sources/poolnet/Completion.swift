import ArgumentParser
import Foundation
import Topology

/// Shell completion (bash, zsh, fish through swift-argument-parser's scripts): pool files,
/// the host names of the file already on the command line, and the named network namespaces.
enum Completion {
    static let poolFile = CompletionKind.file(extensions: ["yaml", "yml"])

    /// `--host`: the hosts of the first YAML file on the line (nothing while it does not parse).
    static let hosts = CompletionKind.custom { words, _, prefix in
        hostNames(in: words).filter { $0.hasPrefix(prefix) }
    }

    /// `--netns`: the namespaces `ip netns` knows (/run/netns).
    static let namespaces = CompletionKind.custom { _, _, prefix in
        ((try? FileManager.default.contentsOfDirectory(atPath: "/run/netns")) ?? []).sorted().filter { $0.hasPrefix(prefix) }
    }

    static func hostNames(in words: [String]) -> [String] {
        for word in words.dropFirst() where word.hasSuffix(".yaml") || word.hasSuffix(".yml") {
            let path = word.hasPrefix("~/") ? NSHomeDirectory() + word.dropFirst(1) : word
            if let topology = try? Topology.load(path: path) { return topology.hosts.map(\.name) }
        }
        return []
    }
}
