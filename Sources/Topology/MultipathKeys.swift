/// The multipath.conf keys a file may put in poolnet's drop-in, each with the values it takes:
/// a whole number, or one of the words multipath.conf(5) documents for it. Nothing else reaches
/// the file, so no value can close a section or open another (`12\n}\nblacklist {…`).
enum MultipathKeys {
    enum Value {
        /// A whole number, or one of the words.
        case number(words: [String])
        /// One of the words only.
        case words([String])
    }

    static let allowed: [String: Value] = [
        "no_path_retry": .number(words: ["queue", "fail"]),
        "polling_interval": .number(words: []),
        "max_polling_interval": .number(words: []),
        "fast_io_fail_tmo": .number(words: ["off"]),
        "dev_loss_tmo": .number(words: ["infinity"]),
        "failback": .number(words: ["immediate", "manual", "followover"]),
        "rr_min_io": .number(words: []),
        "rr_min_io_rq": .number(words: []),
        "rr_weight": .words(["uniform", "priorities"]),
        "max_sectors_kb": .number(words: []),
        "path_grouping_policy": .words(["failover", "multibus", "group_by_serial", "group_by_prio", "group_by_node_name", "group_by_tpg"]),
        "path_selector": .words(["round-robin 0", "queue-length 0", "service-time 0", "historical-service-time 0"]),
        "path_checker": .words(["tur", "directio", "readsector0", "emc_clariion", "hp_sw", "rdac", "cciss_tur", "none"]),
        "prio": .words(["const", "alua", "sysfs", "emc", "hds", "hp_sw", "ontap", "rdac", "random", "weightedpath", "path_latency", "ana", "datacore", "iet"]),
        "detect_prio": .words(["yes", "no"]),
        "detect_checker": .words(["yes", "no"]),
        "detect_pgpolicy": .words(["yes", "no"]),
        "flush_on_last_del": .words(["yes", "no", "always", "unused", "never"]),
        "queue_without_daemon": .words(["yes", "no"]),
        "retain_attached_hw_handler": .words(["yes", "no"]),
        "skip_kpartx": .words(["yes", "no"]),
        "deferred_remove": .words(["yes", "no"]),
    ]

    /// Why `value` is not a value of `key`, or nil when it is.
    static func problem(key: String, value: String) -> String? {
        guard let rule = allowed[key] else { return "is not a key poolnet writes" }
        let words: [String]
        switch rule {
        case .number(let w):
            if !value.isEmpty, value.utf8.count <= 9, value.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) { return nil }
            words = w
        case .words(let w): words = w
        }
        if words.contains(value) { return nil }
        let choices = (rule.takesNumber ? ["a whole number"] : []) + words.map { "\"\($0)\"" }
        return "must be \(choices.joined(separator: ", ")), found \(Self.quoted(value))"
    }

    /// The value as text, with control characters made visible.
    static func quoted(_ value: String) -> String {
        "\"" + value.unicodeScalars.map { $0.properties.generalCategory == .control ? $0.escaped(asASCII: true) : String($0) }.joined() + "\""
    }
}

extension MultipathKeys.Value {
    var takesNumber: Bool { if case .number = self { return true } else { return false } }
}
