/// One problem found in a scenario: where it is and what is wrong.
public struct ScenarioIssue: Equatable, Sendable, CustomStringConvertible {
    public var path: JSONPath
    public var message: String

    public init(path: JSONPath, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}

/// Everything wrong with one scenario file. Decoding reports every problem it can find, not only the first.
public struct ScenarioError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file, as the user named it.
    public var file: String
    public var issues: [ScenarioIssue]

    public init(file: String, issues: [ScenarioIssue]) {
        self.file = file
        self.issues = issues
    }

    /// One line per issue: `scenarios/x.json: services[0].workers: expected ...`.
    public var description: String {
        issues.map { "\(file): \($0)" }.joined(separator: "\n")
    }
}
