/// What one run of one variant produced: the summary row, the time series, and how much work it took.
public struct RunResult: Sendable {
    public var scenario: String
    public var variant: String
    public var seed: UInt64
    /// Summary columns in output order.
    public var summary: [(column: String, value: CSVTable.Cell)]
    public var timeSeries: CSVTable
    /// Events popped from the event queue.
    public var events: Int
    /// True when the run was stopped early (Ctrl-C); its results are incomplete and must not be written.
    public var interrupted: Bool
    /// Every step of the traced requests, in time order.
    public var trace: [TraceEvent] = []

    /// A summary value by column name (for tests and the terminal summary).
    public func value(_ column: String) -> Double? {
        guard let cell = summary.first(where: { $0.column == column })?.value else { return nil }
        switch cell {
        case .number(let d): return d
        case .integer(let i): return Double(i)
        default: return nil
        }
    }
}

extension CSVTable.Cell: @unchecked Sendable {}
