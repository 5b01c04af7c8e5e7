import Foundation

/// A JSON tree: the planner's actions reshaped into the documented `--json` form.
public enum JSONValue: Codable, Equatable, Sendable {
    case null, bool(Bool), int(Int64), double(Double), string(String), array([JSONValue]), object([String: JSONValue])

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let v = try? c.decode(Bool.self) { self = .bool(v) }
        else if let v = try? c.decode(Int64.self) { self = .int(v) }
        else if let v = try? c.decode(Double.self) { self = .double(v) }
        else if let v = try? c.decode(String.self) { self = .string(v) }
        else if let v = try? c.decode([JSONValue].self) { self = .array(v) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let v): try c.encode(v)
        case .int(let v): try c.encode(v)
        case .double(let v): try c.encode(v)
        case .string(let v): try c.encode(v)
        case .array(let v): try c.encode(v)
        case .object(let v): try c.encode(v)
        }
    }
}

/// An action as `--json` shows it (docs/json-schema/plan.json, `$defs/action`): one key naming the
/// step, whose value holds the step's named arguments. Swift's synthesized coding (which the
/// journal keeps) writes an unlabeled argument as `_0`; here the single one is the step's value
/// itself (`{"createLink": {"name": …}}`) and the one next to labeled arguments gets its name.
public enum ActionJSON {
    /// Names for an unlabeled argument that sits next to labeled ones, by step.
    static let positionalNames = ["updateIface": "iface", "setNodeSettings": "node", "setRecoveryTimeout": "node"]

    public static func value(_ action: Action) -> JSONValue {
        guard let data = try? JSONEncoder().encode(action), let tree = try? JSONDecoder().decode(JSONValue.self, from: data) else {
            return .object(["unencodable": .string(action.summary)])
        }
        return documented(tree, step: nil)
    }

    static func documented(_ value: JSONValue, step: String?) -> JSONValue {
        switch value {
        case .object(let fields):
            if fields.count == 1, let only = fields["_0"] { return documented(only, step: nil) }
            var out: [String: JSONValue] = [:]
            for (key, field) in fields {
                out[key == "_0" ? positionalNames[step ?? "", default: "value"] : key] = documented(field, step: key)
            }
            return .object(out)
        case .array(let items): return .array(items.map { documented($0, step: nil) })
        default: return value
        }
    }
}
