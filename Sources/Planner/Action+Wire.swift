import HostState

/// The explicit wire format of a step, as the journal, the pending-revert record and `--json`
/// write it: one object with `"op"` naming the step and one named field per value, e.g.
/// `{"op": "setMTU", "link": "eth1", "mtu": 9000, "previous": 1500}`.
///
/// It is written out by hand, not synthesized, so that renaming a case or a label in Swift cannot
/// change what is on disk. Decoding also reads the shape of releases before this one (the
/// synthesized form, `{"createLink": {"_0": {…}}}`), so their journals can still be rolled back.
extension Action {
    enum Op: String, CaseIterable {
        case createLink, deleteLink, setMTU, setUp, setMaster, setAlias, setBridgeOptions, setBridgeVLANs,
             setVXLANRemotes, setBondOptions, setSysctl, addRoute, removeRoute, addAddress, removeAddress, markAddress, storage, handOver
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: WireKey.self)
        switch self {
        case .createLink(let n):
            try c.encode(Op.createLink.rawValue, forKey: "op"); try c.encode(n, forKey: "create")
        case .deleteLink(let s):
            try c.encode(Op.deleteLink.rawValue, forKey: "op"); try c.encode(s, forKey: "snapshot")
        case let .setMTU(link, mtu, previous):
            try c.encode(Op.setMTU.rawValue, forKey: "op"); try c.encode(link, forKey: "link")
            try c.encode(mtu, forKey: "mtu"); try c.encode(previous, forKey: "previous")
        case let .setUp(link, up):
            try c.encode(Op.setUp.rawValue, forKey: "op"); try c.encode(link, forKey: "link"); try c.encode(up, forKey: "up")
        case let .setMaster(link, master, previous):
            try c.encode(Op.setMaster.rawValue, forKey: "op"); try c.encode(link, forKey: "link")
            try c.encodeIfPresent(master, forKey: "master"); try c.encodeIfPresent(previous, forKey: "previous")
        case let .setAlias(link, alias, previous):
            try c.encode(Op.setAlias.rawValue, forKey: "op"); try c.encode(link, forKey: "link")
            try c.encodeIfPresent(alias, forKey: "alias"); try c.encodeIfPresent(previous, forKey: "previous")
        case let .setBridgeOptions(link, options, previous):
            try c.encode(Op.setBridgeOptions.rawValue, forKey: "op"); try c.encode(link, forKey: "link")
            try c.encode(options, forKey: "options"); try c.encode(previous, forKey: "previous")
        case let .setBridgeVLANs(link, vlans, previous):
            try c.encode(Op.setBridgeVLANs.rawValue, forKey: "op"); try c.encode(link, forKey: "link")
            try c.encode(vlans, forKey: "vlans"); try c.encode(previous, forKey: "previous")
        case let .setVXLANRemotes(link, remotes, previous):
            try c.encode(Op.setVXLANRemotes.rawValue, forKey: "op"); try c.encode(link, forKey: "link")
            try c.encode(remotes, forKey: "remotes"); try c.encode(previous, forKey: "previous")
        case let .setBondOptions(link, options, previous):
            try c.encode(Op.setBondOptions.rawValue, forKey: "op"); try c.encode(link, forKey: "link")
            try c.encode(options, forKey: "options"); try c.encode(previous, forKey: "previous")
        case let .setSysctl(key, value, previous):
            try c.encode(Op.setSysctl.rawValue, forKey: "op"); try c.encode(key, forKey: "key")
            try c.encode(value, forKey: "value"); try c.encode(previous, forKey: "previous")
        case .addRoute(let r):
            try c.encode(Op.addRoute.rawValue, forKey: "op"); try c.encode(r, forKey: "route")
        case .removeRoute(let r):
            try c.encode(Op.removeRoute.rawValue, forKey: "op"); try c.encode(r, forKey: "route")
        case let .addAddress(link, prefix, proto):
            try c.encode(Op.addAddress.rawValue, forKey: "op"); try c.encode(link, forKey: "link")
            try c.encode(prefix, forKey: "prefix"); try c.encode(proto, forKey: "proto")
        case let .removeAddress(link, prefix, proto):
            try c.encode(Op.removeAddress.rawValue, forKey: "op"); try c.encode(link, forKey: "link")
            try c.encode(prefix, forKey: "prefix"); try c.encode(proto, forKey: "proto")
        case .markAddress(let m):
            try c.encode(Op.markAddress.rawValue, forKey: "op"); try c.encode(m.link, forKey: "link")
            try c.encode(m.prefix, forKey: "prefix"); try c.encode(m.owned, forKey: "owned")
            try c.encode(m.proto, forKey: "proto"); try c.encode(m.previous, forKey: "previous")
            try c.encode(m.details, forKey: "details")
        case .storage(let s):
            try c.encode(Op.storage.rawValue, forKey: "op"); try c.encode(s, forKey: "step")
        case .handOver(let h):
            try c.encode(Op.handOver.rawValue, forKey: "op"); try c.encode(h, forKey: "handOver")
        }
    }

    public init(from decoder: Decoder) throws {
        let c = try WireFields(decoder, cases: Op.allCases.map(\.rawValue))
        guard let op = Op(rawValue: c.op) else { throw c.unknown() }
        switch op {
        case .createLink: self = .createLink(try c.value("create", legacy: "_0"))
        case .deleteLink: self = .deleteLink(try c.value("snapshot", legacy: "_0"))
        case .setMTU: self = .setMTU(link: try c.value("link"), mtu: try c.value("mtu"), previous: try c.value("previous"))
        case .setUp: self = .setUp(link: try c.value("link"), up: try c.value("up"))
        case .setMaster: self = .setMaster(link: try c.value("link"), master: try c.optional("master"), previous: try c.optional("previous"))
        case .setAlias: self = .setAlias(link: try c.value("link"), alias: try c.optional("alias"), previous: try c.optional("previous"))
        case .setBridgeOptions:
            self = .setBridgeOptions(link: try c.value("link"), options: try c.value("options"), previous: try c.value("previous"))
        case .setBridgeVLANs:
            self = .setBridgeVLANs(link: try c.value("link"), vlans: try c.value("vlans"), previous: try c.value("previous"))
        case .setVXLANRemotes:
            self = .setVXLANRemotes(link: try c.value("link"), remotes: try c.value("remotes"), previous: try c.value("previous"))
        case .setBondOptions:
            self = .setBondOptions(link: try c.value("link"), options: try c.value("options"), previous: try c.value("previous"))
        case .setSysctl: self = .setSysctl(key: try c.value("key"), value: try c.value("value"), previous: try c.value("previous"))
        case .addRoute: self = .addRoute(try c.value("route", legacy: "_0"))
        case .removeRoute: self = .removeRoute(try c.value("route", legacy: "_0"))
        case .addAddress: self = .addAddress(link: try c.value("link"), prefix: try c.value("prefix"), proto: try c.value("proto"))
        case .removeAddress: self = .removeAddress(link: try c.value("link"), prefix: try c.value("prefix"), proto: try c.value("proto"))
        case .markAddress:
            self = .markAddress(AddressMark(link: try c.value("link"), prefix: try c.value("prefix"), proto: try c.value("proto"),
                                            previous: try c.value("previous"), owned: try c.value("owned"), details: try c.value("details")))
        case .storage: self = .storage(try c.value("step", legacy: "_0"))
        case .handOver: self = .handOver(try c.value("handOver", legacy: "_0"))
        }
    }
}

extension StorageAction {
    enum Op: String, CaseIterable {
        case writeInitiatorName, createIface, deleteIface, updateIface, createNode, deleteNode, setNodeSettings, login, logout,
             setRecoveryTimeout, writeMultipathConfig, addMultipathMap, removeMultipathMap, createVPort, deleteVPort,
             setVPortSymbolicName, markIface, markVPort
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: WireKey.self)
        func op(_ o: Op) throws { try c.encode(o.rawValue, forKey: "op") }
        switch self {
        case let .writeInitiatorName(name, previous):
            try op(.writeInitiatorName); try c.encodeIfPresent(name, forKey: "name"); try c.encodeIfPresent(previous, forKey: "previous")
        case .createIface(let i): try op(.createIface); try c.encode(i, forKey: "iface")
        case .deleteIface(let i): try op(.deleteIface); try c.encode(i, forKey: "iface")
        case let .updateIface(i, previous): try op(.updateIface); try c.encode(i, forKey: "iface"); try c.encode(previous, forKey: "previous")
        case .createNode(let n): try op(.createNode); try c.encode(n, forKey: "node")
        case .deleteNode(let n): try op(.deleteNode); try c.encode(n, forKey: "node")
        case let .setNodeSettings(key, settings, previous):
            try op(.setNodeSettings); try c.encode(key, forKey: "node")
            try c.encode(settings, forKey: "settings"); try c.encode(previous, forKey: "previous")
        case .login(let key): try op(.login); try c.encode(key, forKey: "node")
        case .logout(let key): try op(.logout); try c.encode(key, forKey: "node")
        case let .setRecoveryTimeout(key, seconds, previous):
            try op(.setRecoveryTimeout); try c.encode(key, forKey: "node")
            try c.encode(seconds, forKey: "seconds"); try c.encode(previous, forKey: "previous")
        case let .writeMultipathConfig(content, previous):
            try op(.writeMultipathConfig); try c.encodeIfPresent(content, forKey: "content"); try c.encodeIfPresent(previous, forKey: "previous")
        case let .addMultipathMap(wwid, device): try op(.addMultipathMap); try c.encode(wwid, forKey: "wwid"); try c.encode(device, forKey: "device")
        case let .removeMultipathMap(wwid, device):
            try op(.removeMultipathMap); try c.encode(wwid, forKey: "wwid"); try c.encode(device, forKey: "device")
        case .createVPort(let v): try op(.createVPort); try c.encode(v, forKey: "vport")
        case .deleteVPort(let v): try op(.deleteVPort); try c.encode(v, forKey: "vport")
        case let .setVPortSymbolicName(wwpn, name, previous):
            try op(.setVPortSymbolicName); try c.encode(wwpn, forKey: "wwpn")
            try c.encodeIfPresent(name, forKey: "name"); try c.encodeIfPresent(previous, forKey: "previous")
        case let .markIface(name, owned): try op(.markIface); try c.encode(name, forKey: "name"); try c.encode(owned, forKey: "owned")
        case let .markVPort(v, host, owned):
            try op(.markVPort); try c.encode(v, forKey: "vport"); try c.encode(host, forKey: "host"); try c.encode(owned, forKey: "owned")
        }
    }

    public init(from decoder: Decoder) throws {
        let c = try WireFields(decoder, cases: Op.allCases.map(\.rawValue))
        guard let op = Op(rawValue: c.op) else { throw c.unknown() }
        switch op {
        case .writeInitiatorName: self = .writeInitiatorName(name: try c.optional("name"), previous: try c.optional("previous"))
        case .createIface: self = .createIface(try c.value("iface", legacy: "_0"))
        case .deleteIface: self = .deleteIface(try c.value("iface", legacy: "_0"))
        case .updateIface: self = .updateIface(try c.value("iface", legacy: "_0"), previous: try c.value("previous"))
        case .createNode: self = .createNode(try c.value("node", legacy: "_0"))
        case .deleteNode: self = .deleteNode(try c.value("node", legacy: "_0"))
        case .setNodeSettings:
            self = .setNodeSettings(try c.value("node", legacy: "_0"), settings: try c.value("settings"), previous: try c.value("previous"))
        case .login: self = .login(try c.value("node", legacy: "_0"))
        case .logout: self = .logout(try c.value("node", legacy: "_0"))
        case .setRecoveryTimeout:
            self = .setRecoveryTimeout(try c.value("node", legacy: "_0"), seconds: try c.value("seconds"), previous: try c.value("previous"))
        case .writeMultipathConfig: self = .writeMultipathConfig(content: try c.optional("content"), previous: try c.optional("previous"))
        case .addMultipathMap: self = .addMultipathMap(wwid: try c.value("wwid"), device: try c.value("device"))
        case .removeMultipathMap: self = .removeMultipathMap(wwid: try c.value("wwid"), device: try c.value("device"))
        case .createVPort: self = .createVPort(try c.value("vport", legacy: "_0"))
        case .deleteVPort: self = .deleteVPort(try c.value("vport", legacy: "_0"))
        case .setVPortSymbolicName:
            self = .setVPortSymbolicName(wwpn: try c.value("wwpn"), name: try c.optional("name"), previous: try c.optional("previous"))
        case .markIface: self = .markIface(name: try c.value("name"), owned: try c.value("owned"))
        case .markVPort: self = .markVPort(try c.value("vport"), host: try c.value("host"), owned: try c.value("owned"))
        }
    }
}

/// The fields of one step, in the current shape (`"op"` beside the fields) or the synthesized
/// shape of earlier releases (the case name as the only key, the fields one level down).
struct WireFields {
    let op: String
    let fields: KeyedDecodingContainer<WireKey>
    let codingPath: [CodingKey]

    init(_ decoder: Decoder, cases: [String]) throws {
        let outer = try decoder.container(keyedBy: WireKey.self)
        codingPath = decoder.codingPath
        if outer.contains("op") {
            op = try outer.decode(String.self, forKey: "op")
            fields = outer
        } else if let key = outer.allKeys.first(where: { cases.contains($0.stringValue) }), outer.allKeys.count == 1 {
            op = key.stringValue
            fields = try outer.nestedContainer(keyedBy: WireKey.self, forKey: key)
        } else {
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "a step needs an \"op\" field"))
        }
    }

    func unknown() -> DecodingError {
        .dataCorrupted(.init(codingPath: codingPath, debugDescription: "unknown step \"\(op)\""))
    }

    func value<T: Decodable>(_ key: String, legacy: String? = nil) throws -> T {
        if let legacy, !fields.contains(WireKey(stringValue: key)), fields.contains(WireKey(stringValue: legacy)) {
            return try fields.decode(T.self, forKey: WireKey(stringValue: legacy))
        }
        return try fields.decode(T.self, forKey: WireKey(stringValue: key))
    }

    func optional<T: Decodable>(_ key: String) throws -> T? {
        try fields.decodeIfPresent(T.self, forKey: WireKey(stringValue: key))
    }
}
