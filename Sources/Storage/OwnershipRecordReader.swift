import HostState
import SystemCalls

/// A fast reader of `owned.json` as poolnet writes it (version 2): every run decodes it, and
/// Foundation's `JSONDecoder` took 10–18 ms of CPU for 1,000–2,000 recorded addresses, a tenth of
/// a no-op plan. It reads the strict subset of JSON poolnet writes and returns nil on anything
/// else (another version, an unknown key, a duplicate key, a WWN, a number or escape it does not
/// take, malformed text): the caller then decodes with `JSONDecoder`, whose record or error is
/// the answer. So whenever this returns a record, it is the one `JSONDecoder` gives
/// (`OwnershipRecordReaderTests` compares the two on random and mangled records).
struct OwnershipRecordReader {
    private var cursor: JSONCursor

    static func read(_ bytes: [UInt8]) -> OwnershipRecord? {
        var reader = OwnershipRecordReader(cursor: JSONCursor(bytes))
        guard let record = reader.record(), reader.cursor.atEnd() else { return nil }
        return record
    }

    private mutating func record() -> OwnershipRecord? {
        var version: Int?, pools: [String: PoolRecord]?, unassigned: PoolRecord?
        var sawPools = false, sawUnassigned = false
        let ok = cursor.object { cursor, key in
            switch key {
            case "version" where version == nil: version = cursor.integer()
                return version != nil
            case "pools" where !sawPools:
                sawPools = true
                if cursor.null() { return true }
                var all: [String: PoolRecord] = [:]
                let ok = cursor.object { cursor, name in
                    guard all[name] == nil, let pool = Self.pool(&cursor) else { return false }
                    all[name] = pool
                    return true
                }
                pools = all
                return ok
            case "unassigned" where !sawUnassigned:
                sawUnassigned = true
                if cursor.null() { return true }
                unassigned = Self.pool(&cursor)
                return unassigned != nil
            default: return false
            }
        }
        // Version 1 (the flat format) and unknown versions go to JSONDecoder.
        guard ok, version == OwnershipRecord.version else { return nil }
        return OwnershipRecord(pools: pools ?? [:], unassigned: unassigned)
    }

    private static func pool(_ cursor: inout JSONCursor) -> PoolRecord? {
        var addresses: [RecordedAddress]?, ifaces: Set<String>?, sawVPorts = false
        let ok = cursor.object { cursor, key in
            switch key {
            case "addresses" where addresses == nil:
                var list: [RecordedAddress] = []
                if !cursor.null() {
                    guard cursor.array({ cursor in
                        guard let address = Self.address(&cursor) else { return false }
                        list.append(address)
                        return true
                    }) else { return false }
                }
                addresses = list
                return true
            case "iscsiIfaces" where ifaces == nil:
                var set = Set<String>()
                if !cursor.null() {
                    guard cursor.array({ cursor in
                        guard let name = cursor.string() else { return false }
                        set.insert(name)
                        return true
                    }) else { return false }
                }
                ifaces = set
                return true
            case "fcVPorts" where !sawVPorts:
                // WWNs are rare and have their own coding: an empty list or null only.
                sawVPorts = true
                return cursor.null() || cursor.array { _ in false }
            default: return false
            }
        }
        return ok ? PoolRecord(addresses: addresses ?? [], iscsiIfaces: ifaces ?? []) : nil
    }

    private static func address(_ cursor: inout JSONCursor) -> RecordedAddress? {
        var ifindex: Int32?, link: String?, prefix: IPPrefix?, adopted: Bool?, sawAdopted = false
        let ok = cursor.object { cursor, key in
            switch key {
            case "ifindex" where ifindex == nil:
                guard let n = cursor.integer(), let value = Int32(exactly: n) else { return false }
                ifindex = value
            case "link" where link == nil:
                link = cursor.string()
                return link != nil
            case "prefix" where prefix == nil:
                prefix = cursor.string().flatMap(Self.prefix)
                return prefix != nil
            case "adopted" where !sawAdopted:
                sawAdopted = true
                if cursor.null() { return true }
                adopted = cursor.bool()
                return adopted != nil
            default: return false
            }
            return true
        }
        guard ok, let ifindex, let link, let prefix else { return nil }
        return RecordedAddress(ifindex: ifindex, link: link, prefix: prefix, adopted: adopted ?? false)
    }
}

extension OwnershipRecordReader {
    /// `IPPrefix(text)`, with `a.b.c.d/len` read from its bytes (split and a String per part cost
    /// more than the rest of the record); anything else goes to `IPPrefix(text)`.
    static func prefix(_ text: String) -> IPPrefix? {
        var text = text
        let quick = text.withUTF8 { bytes -> IPPrefix? in
            guard let slash = bytes.firstIndex(of: UInt8(ascii: "/")), let address = Syscall.parseIPv4(UnsafeBufferPointer(rebasing: bytes[..<slash])) else { return nil }
            let digits = bytes[(slash + 1)...]
            // The length as IPPrefix reads it: decimal, no sign, no leading zero, at most 32.
            guard (1...2).contains(digits.count), digits.allSatisfy({ (0x30...0x39).contains($0) }),
                  digits.count == 1 || digits.first != 0x30 else { return nil }
            let length = digits.reduce(0) { $0 * 10 + Int($1 - 0x30) }
            return length <= 32 ? IPPrefix(bytes: address, prefixLength: length) : nil
        }
        return quick ?? IPPrefix(text)
    }
}

/// A position in JSON text, reading the few forms `OwnershipRecordReader` takes; every reader
/// returns nil or false on anything else.
struct JSONCursor {
    private let bytes: [UInt8]
    private var index = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    private var next: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipSpace() {
        while let byte = next, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { index += 1 }
    }

    private mutating func take(_ byte: UInt8) -> Bool {
        skipSpace()
        guard next == byte else { return false }
        index += 1
        return true
    }

    private mutating func take(word: StaticString) -> Bool {
        skipSpace()
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        for i in 0..<count where bytes[index + i] != word.utf8Start[i] { return false }
        index += count
        return true
    }

    mutating func atEnd() -> Bool {
        skipSpace()
        return index == bytes.count
    }

    mutating func null() -> Bool { take(word: "null") }

    mutating func bool() -> Bool? { take(word: "true") ? true : take(word: "false") ? false : nil }

    /// `0` or `-?[1-9][0-9]*`, at most 18 digits, not followed by a fraction or an exponent.
    mutating func integer() -> Int? {
        skipSpace()
        let negative = next == UInt8(ascii: "-")
        if negative { index += 1 }
        let start = index
        var value = 0
        while let byte = next, (0x30...0x39).contains(byte) {
            // Past 18 digits the number is JSONDecoder's to judge (and Int would overflow: a trap).
            guard index - start < 18 else { return nil }
            value = value * 10 + Int(byte - 0x30)
            index += 1
        }
        let digits = index - start
        guard digits > 0, digits <= 18, digits == 1 || bytes[start] != 0x30 else { return nil }
        if let byte = next, byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") { return nil }
        // `-0` is left to JSONDecoder.
        guard !(negative && value == 0) else { return nil }
        return negative ? -value : value
    }

    /// A string: valid UTF-8, no raw control characters, the escapes `\" \\ \/ \b \f \n \r \t`
    /// and `\uXXXX` outside the surrogates.
    mutating func string() -> String? {
        guard take(UInt8(ascii: "\"")) else { return nil }
        let start = index
        var escaped = false
        while let byte = next, byte != UInt8(ascii: "\"") {
            guard byte >= 0x20 else { return nil }
            if byte == UInt8(ascii: "\\") {
                escaped = true
                index += 1
            }
            index += 1
        }
        guard index < bytes.count else { return nil }
        let raw = bytes[start..<index]
        index += 1
        return escaped ? Self.unescape(raw) : String(validating: raw, as: UTF8.self)
    }

    private static func unescape(_ raw: ArraySlice<UInt8>) -> String? {
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var i = raw.startIndex
        while i < raw.endIndex {
            let byte = raw[i]
            i += 1
            guard byte == UInt8(ascii: "\\") else {
                out.append(byte)
                continue
            }
            guard i < raw.endIndex else { return nil }
            let code = raw[i]
            i += 1
            switch code {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(code)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                guard raw.endIndex - i >= 4, raw[i..<i + 4].allSatisfy({ Character(Unicode.Scalar($0)).isHexDigit }),
                      let hex = UInt32(String(decoding: raw[i..<i + 4], as: UTF8.self), radix: 16),
                      !(0xD800...0xDFFF).contains(hex), let scalar = Unicode.Scalar(hex) else { return nil }
                out.append(contentsOf: Array(String(Character(scalar)).utf8))
                i += 4
            default: return nil
            }
        }
        return String(validating: out, as: UTF8.self)
    }

    /// `{ "key": value, … }`: `body` reads each value (the cursor at it) and says whether it could.
    mutating func object(_ body: (inout JSONCursor, String) -> Bool) -> Bool {
        guard take(UInt8(ascii: "{")) else { return false }
        if take(UInt8(ascii: "}")) { return true }
        repeat {
            guard let key = string(), take(UInt8(ascii: ":")), body(&self, key) else { return false }
        } while take(UInt8(ascii: ","))
        return take(UInt8(ascii: "}"))
    }

    /// `[ value, … ]`, each read by `body`.
    mutating func array(_ body: (inout JSONCursor) -> Bool) -> Bool {
        guard take(UInt8(ascii: "[")) else { return false }
        if take(UInt8(ascii: "]")) { return true }
        repeat {
            guard body(&self) else { return false }
        } while take(UInt8(ascii: ","))
        return take(UInt8(ascii: "]"))
    }
}
