/// A parsed JSON document. Objects keep their members in file order, so nothing downstream depends on hashing.
public indirect enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([JSONMember])

    /// The member named `key` of an object (the last one, if a key repeats), else nil.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.last { $0.key == key }?.value
    }

    /// What the value is, for error messages: `a string ("abc")`, `a number (12)`, `an object`.
    public var kindDescription: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return "a boolean (\(b))"
        case .number: return "a number (\(compactText))"
        case .string(let text) where text.count > 80:
            return "a string of \(text.count) characters (\(JSONValue.quote(String(text.prefix(40))))...)"
        case .string: return "a string (\(compactText))"
        case .array(let items): return items.isEmpty ? "an empty array" : "an array"
        case .object(let members): return members.isEmpty ? "an empty object" : "an object"
        }
    }

    /// Compact JSON text of the value (shortest round-trip numbers, members in order).
    public var compactText: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .number(let d): return NumberFormat.shortest(d)
        case .string(let s): return JSONValue.quote(s)
        case .array(let items): return "[" + items.map(\.compactText).joined(separator: ",") + "]"
        case .object(let members):
            return "{" + members.map { JSONValue.quote($0.key) + ":" + $0.value.compactText }.joined(separator: ",") + "}"
        }
    }

    static func quote(_ s: String) -> String {
        // Most strings (names, column names) need no escape: one pass over their bytes, then the string itself.
        if !s.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            return "\"" + s + "\""
        }
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

public struct JSONMember: Equatable, Sendable {
    public var key: String
    public var value: JSONValue
    public init(key: String, value: JSONValue) {
        self.key = key
        self.value = value
    }
}

/// A JSON syntax error with its position (1-based line and column).
public struct JSONSyntaxError: Error, Equatable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var message: String
    public var description: String { "line \(line), column \(column): \(message)" }
}

extension JSONValue {
    /// Indented JSON text (two spaces a level), for files people read and edit: objects one member a line; arrays
    /// of scalars that fit on one line stay on one line.
    public func prettyText(indent level: Int = 0) -> String {
        let pad = String(repeating: "  ", count: level + 1), end = String(repeating: "  ", count: level)
        switch self {
        case .object(let members) where !members.isEmpty:
            let lines = members.map { pad + JSONValue.quote($0.key) + ": " + $0.value.prettyText(indent: level + 1) }
            return "{\n" + lines.joined(separator: ",\n") + "\n" + end + "}"
        case .array(let items) where !items.isEmpty:
            let scalars = items.allSatisfy { if case .object = $0 { return false } else if case .array = $0 { return false } else { return true } }
            if scalars && compactText.count <= 80 { return "[" + items.map(\.compactText).joined(separator: ", ") + "]" }
            return "[\n" + items.map { pad + $0.prettyText(indent: level + 1) }.joined(separator: ",\n") + "\n" + end + "]"
        default:
            return compactText
        }
    }
}
