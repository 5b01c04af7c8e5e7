import HostState

/// `owned.json` byte for byte as `JSONEncoder` with `[.sortedKeys, .prettyPrinted]` writes it
/// (keys in UTF-8 order, two spaces per level, `" : "`, slashes and control characters escaped),
/// without the encoder's value tree: encoding 2,000 addresses took ~12 ms, twice per apply that
/// adds or removes one. `OwnershipRecordReaderTests.testTheWriterWritesJSONEncodersBytes` compares
/// the bytes with JSONEncoder's.
enum OwnershipRecordWriter {
    static func bytes(_ record: OwnershipRecord) -> [UInt8] {
        var writer = PrettyJSON()
        // An address entry is ~110 bytes: one buffer from the start instead of doubling ~16 times.
        writer.out.reserveCapacity(256 + 128 * record.pools.values.reduce(record.unassigned?.addresses.count ?? 0) { $0 + $1.addresses.count })
        writer.object(count: record.unassigned == nil ? 2 : 3) { w in
            w.key("pools")
            let pools = record.pools.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            w.object(count: pools.count) { w in
                for (name, pool) in pools {
                    w.key(name)
                    write(pool, &w)
                }
            }
            if let unassigned = record.unassigned {
                w.key("unassigned")
                write(unassigned, &w)
            }
            w.key("version")
            w.number(OwnershipRecord.version)
        }
        return writer.out
    }

    /// As `PoolRecord.encode(to:)`: addresses deduplicated and sorted, names sorted.
    private static func write(_ pool: PoolRecord, _ w: inout PrettyJSON) {
        w.object(count: 3) { w in
            w.key("addresses")
            let addresses = pool.addressesInOrder
            w.array { w in
                for address in addresses {
                    w.element()
                    w.object(count: address.adopted ? 4 : 3) { w in
                        if address.adopted {
                            w.key("adopted")
                            w.out += Array("true".utf8)
                        }
                        w.key("ifindex")
                        w.number(Int(address.ifindex))
                        w.key("link")
                        w.string(address.link)
                        w.key("prefix")
                        w.string(address.prefix.description)
                    }
                }
            }
            w.key("fcVPorts")
            let vports = pool.fcVPorts.sorted()
            w.array { w in
                for wwpn in vports {
                    w.element()
                    w.string(wwpn.hex)
                }
            }
            w.key("iscsiIfaces")
            let ifaces = pool.iscsiIfaces.sorted()
            w.array { w in
                for iface in ifaces {
                    w.element()
                    w.string(iface)
                }
            }
        }
    }
}

/// The pretty form of Foundation's JSONWriter: `{`, a newline, each entry on its own line
/// indented one level deeper and separated by `,`, then a newline and the closing brace at the
/// container's level (an empty container keeps its two newlines).
struct PrettyJSON {
    var out: [UInt8] = []
    private var indent = 0
    /// Whether the next key or element is the container's first.
    private var first = true

    private mutating func newline() {
        out.append(0x0A)
        spaces()
    }

    /// The current level's indent, two spaces a level (appended in place: an array literal per
    /// level allocated, ~10 % of writing a record).
    private mutating func spaces() {
        out.append(contentsOf: repeatElement(0x20, count: 2 * indent))
    }

    /// An object's first key starts indented on the line after `{`; an array indents each element.
    mutating func object(count: Int, _ body: (inout PrettyJSON) -> Void) {
        container("{", "}", indentFirst: count > 0, body)
    }

    mutating func array(_ body: (inout PrettyJSON) -> Void) {
        container("[", "]", indentFirst: false, body)
    }

    private mutating func container(_ open: Unicode.Scalar, _ close: Unicode.Scalar, indentFirst: Bool, _ body: (inout PrettyJSON) -> Void) {
        out.append(UInt8(ascii: open))
        out.append(0x0A)
        indent += 1
        if indentFirst { spaces() }
        first = true
        body(&self)
        indent -= 1
        newline()
        out.append(UInt8(ascii: close))
        first = false
    }

    /// An object's key: after the first, `,` and a new line.
    mutating func key(_ name: String) {
        if !first {
            out.append(UInt8(ascii: ","))
            newline()
        }
        first = false
        string(name)
        out.append(0x20)
        out.append(UInt8(ascii: ":"))
        out.append(0x20)
    }

    /// Before an array's element: its line (JSONWriter indents every element, the first too).
    mutating func element() {
        if !first {
            out.append(UInt8(ascii: ","))
            out.append(0x0A)
        }
        first = false
        spaces()
    }

    /// Decimal digits straight into the buffer (no String, no Array per number).
    mutating func number(_ value: Int) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        let start = out.count
        repeat {
            out.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        out[start...].reverse()
    }

    mutating func string(_ text: String) {
        func hex(_ v: UInt8) -> UInt8 { v < 10 ? v + 0x30 : v - 10 + UInt8(ascii: "a") }
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out += [0x5C, byte]
            case 0x5C: out += [0x5C, 0x5C]
            case UInt8(ascii: "/"): out += [0x5C, byte]
            case 0x08: out += [0x5C, UInt8(ascii: "b")]
            case 0x0C: out += [0x5C, UInt8(ascii: "f")]
            case 0x0A: out += [0x5C, UInt8(ascii: "n")]
            case 0x0D: out += [0x5C, UInt8(ascii: "r")]
            case 0x09: out += [0x5C, UInt8(ascii: "t")]
            case 0x00...0x1F: out += [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex(byte / 16), hex(byte % 16)]
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
