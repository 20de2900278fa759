/// A location in a scenario document, written as in error messages and `--set`: `services[0].queue.capacity`.
public struct JSONPath: Equatable, Hashable, Sendable, CustomStringConvertible {
    public enum Component: Equatable, Hashable, Sendable {
        case key(String)
        case index(Int)
    }

    public var components: [Component]

    public init(_ components: [Component] = []) { self.components = components }

    public static let root = JSONPath()

    public func appending(_ key: String) -> JSONPath { JSONPath(components + [.key(key)]) }
    public func appending(_ index: Int) -> JSONPath { JSONPath(components + [.index(index)]) }

    public var description: String {
        if components.isEmpty { return "(top level)" }
        var text = ""
        for component in components {
            switch component {
            case .key(let k): text += text.isEmpty ? k : "." + k
            case .index(let i): text += "[\(i)]"
            }
        }
        return text
    }

    /// Most components a path may have: no scenario is deeper (the parser stops at `JSONParser.maxDepth`).
    public static let maxComponents = JSONParser.maxDepth

    /// Parses `a.b[2].c`. Keys are runs of characters other than `.`, `[` and `]`. Nil for a malformed path or one
    /// of more than `maxComponents` components.
    public static func parse(_ text: String) -> JSONPath? {
        var components: [Component] = []
        var chars = Substring(text)
        var expectKey = true
        while !chars.isEmpty {
            if components.count > maxComponents { return nil }
            if chars.first == "[" {
                guard let close = chars.firstIndex(of: "]"), let i = Int(chars[chars.index(after: chars.startIndex)..<close]),
                    i >= 0
                else { return nil }
                components.append(.index(i))
                chars = chars[chars.index(after: close)...]
                expectKey = false
            } else if chars.first == "." {
                if expectKey { return nil }
                chars = chars.dropFirst()
                expectKey = true
                if chars.isEmpty { return nil }
            } else {
                if !expectKey { return nil }
                let end = chars.firstIndex { $0 == "." || $0 == "[" || $0 == "]" } ?? chars.endIndex
                if end == chars.startIndex { return nil }
                components.append(.key(String(chars[..<end])))
                chars = chars[end...]
                expectKey = false
            }
        }
        return components.isEmpty ? nil : JSONPath(components)
    }
}

extension JSONValue {
    /// Returns a copy with the value at `path` replaced (or added, for a missing object key).
    ///
    /// Missing objects on the way are created; an array index must exist.
    public func setting(_ path: JSONPath, to newValue: JSONValue) throws(OverrideError) -> JSONValue {
        try JSONValue.set(self, path.components[...], newValue, walked: .root)
    }

    private static func set(
        _ value: JSONValue, _ rest: ArraySlice<JSONPath.Component>, _ newValue: JSONValue, walked: JSONPath
    ) throws(OverrideError) -> JSONValue {
        guard let head = rest.first else { return newValue }
        switch head {
        case .key(let key):
            var members: [JSONMember]
            switch value {
            case .object(let m): members = m
            case .null: members = []
            default:
                throw OverrideError(message: "\(walked) is \(value.kindDescription), not an object, so it has no key \"\(key)\"")
            }
            let here = walked.appending(key)
            if let i = members.lastIndex(where: { $0.key == key }) {
                members[i].value = try set(members[i].value, rest.dropFirst(), newValue, walked: here)
            } else {
                members.append(JSONMember(key: key, value: try set(.null, rest.dropFirst(), newValue, walked: here)))
            }
            return .object(members)
        case .index(let i):
            guard case .array(var items) = value else {
                throw OverrideError(message: "\(walked) is \(value.kindDescription), not an array, so it has no element [\(i)]")
            }
            guard i < items.count else {
                throw OverrideError(message: "\(walked) has \(items.count) element(s), so [\(i)] does not exist")
            }
            items[i] = try set(items[i], rest.dropFirst(), newValue, walked: walked.appending(i))
            return .array(items)
        }
    }
}

/// A `--set` that cannot be applied.
public struct OverrideError: Error, Equatable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// One `--set PATH=VALUE` override.
public struct Override: Equatable, Sendable {
    public var path: JSONPath
    public var value: JSONValue

    public init(path: JSONPath, value: JSONValue) {
        self.path = path
        self.value = value
    }

    /// Parses `PATH=VALUE`. The value is JSON; text that is not valid JSON is taken as a string, so that
    /// `--set clients.policy.jitter=none` works after the shell has eaten the quotes.
    public static func parse(_ text: String) throws(OverrideError) -> Override {
        guard let eq = text.firstIndex(of: "=") else {
            throw OverrideError(message: "--set expects PATH=VALUE (for example clients.count=500), found \"\(text)\"")
        }
        let pathText = String(text[..<eq])
        guard let path = JSONPath.parse(pathText) else {
            throw OverrideError(message: "--set: \(JSONValue.quote(String(pathText.prefix(80)))) is not a path (expected at most \(JSONPath.maxComponents) keys and indices such as services[0].workers)")
        }
        let valueText = String(text[text.index(after: eq)...])
        let value: JSONValue
        if let parsed = try? JSONParser.parse(valueText) { value = parsed } else { value = .string(valueText) }
        return Override(path: path, value: value)
    }
}
