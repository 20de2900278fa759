/// The rows of a time-series table (`time_s` first), stored compactly: the rows a run reached, then one template
/// for every later full row and one for the last row (which may be cut short). Most runs of a sweep end long before
/// their duration, so a run of 6,000 rows typically stores a few dozen. Reading it as a collection gives every row,
/// each later row from its template, with its own `time_s`.
public struct SeriesRows: RandomAccessCollection, Sendable, Equatable, ExpressibleByArrayLiteral, CustomStringConvertible {
    /// Cells per row.
    public let width: Int
    /// The stored rows, row-major.
    public private(set) var stored: [Double]
    public private(set) var storedCount: Int
    /// The cells of every row after the stored ones but the last, and of the last (their `time_s` is not used).
    public private(set) var tailFull: [Double]
    public private(set) var tailLast: [Double]
    /// Rows in all.
    public let count: Int
    /// The row width in ns: `time_s` of a row after the stored ones is its start, `row * interval` ns.
    public let interval: Int64

    /// Every row given as it is.
    public init(_ rows: [[Double]]) {
        let width = rows.first?.count ?? 0
        self.width = width
        // Rows of another length (only in a damaged shard, which is refused after reading) are cut or padded.
        stored = rows.flatMap { row in
            row.count == width ? row : Array(row.prefix(width)) + Array(repeating: .nan, count: Swift.max(0, width - row.count))
        }
        storedCount = rows.count
        tailFull = Array(repeating: .nan, count: width)
        tailLast = tailFull
        count = rows.count
        interval = 0
    }

    public init(arrayLiteral rows: [Double]...) { self.init(rows) }

    /// Stored rows and templates: `count` rows of `interval` ns each.
    public init(width: Int, stored: [Double], storedCount: Int, tailFull: [Double], tailLast: [Double], count: Int,
                interval: Int64) {
        precondition(stored.count == width * storedCount && tailFull.count == width && tailLast.count == width)
        self.width = width
        self.stored = stored
        self.storedCount = storedCount
        self.tailFull = tailFull
        self.tailLast = tailLast
        self.count = count
        self.interval = interval
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    public subscript(row: Int) -> [Double] {
        if row < storedCount { return Array(stored[row * width..<(row + 1) * width]) }
        var cells = row == count - 1 ? tailLast : tailFull
        if !cells.isEmpty { cells[0] = time(ofRow: row) }
        return cells
    }

    /// One cell, without building the row.
    public func cell(_ row: Int, _ column: Int) -> Double {
        if row < storedCount { return stored[row * width + column] }
        return column == 0 ? time(ofRow: row) : (row == count - 1 ? tailLast[column] : tailFull[column])
    }

    /// `time_s` of a row after the stored ones.
    public func time(ofRow row: Int) -> Double { Self.time(ofRow: row, interval: interval) }

    /// `time_s` of row `row` of `interval` ns: its start in seconds (in every run and every replication alike, so
    /// an averaged table keeps it as it is).
    public static func time(ofRow row: Int, interval: Int64) -> Double { Double(Int64(row) * interval) / 1e9 }

    public static func == (a: SeriesRows, b: SeriesRows) -> Bool {
        a.count == b.count && a.indices.allSatisfy { a[$0].elementsEqual(b[$0]) { $0 == $1 || ($0.isNaN && $1.isNaN) } }
    }

    public var description: String { Array(self).description }
}
