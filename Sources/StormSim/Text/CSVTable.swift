import Foundation

/// A CSV table built in memory and written as RFC 4180 text: header row, comma separator, `\n` line ends,
/// numbers unquoted, text quoted only when it holds a comma, quote or line break.
public struct CSVTable: Equatable, Sendable {
    public var header: [String]
    public var rows: [[String]] = []

    public init(header: [String]) { self.header = header }

    public enum Cell: Equatable {
        case number(Double)
        case integer(Int)
        case text(String)
        case empty

        public var text: String {
            switch self {
            case .number(let d): return NumberFormat.shortest(d)
            case .integer(let i): return String(i)
            case .text(let s): return CSVTable.escape(s)
            case .empty: return ""
            }
        }

        /// Appends `text`'s bytes (a number without making a String when it is integral).
        func append(to bytes: inout TextBytes) {
            switch self {
            case .number(let d): NumberFormat.appendShortest(d, to: &bytes)
            case .integer(let i): NumberFormat.appendInteger(Int64(i), to: &bytes)
            case .text(let s): bytes.append(CSVTable.escape(s))
            case .empty: break
            }
        }
    }

    public mutating func append(_ cells: [Cell]) {
        precondition(cells.count == header.count, "CSV row has \(cells.count) cells for \(header.count) columns")
        rows.append(cells.map(\.text))
    }

    public var text: String {
        var out = header.map(CSVTable.escape).joined(separator: ",") + "\n"
        out.reserveCapacity(rows.count * header.count * 8)
        for row in rows {
            out += row.joined(separator: ",")
            out += "\n"
        }
        return out
    }

    public static func escape(_ s: String) -> String {
        if s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return s
    }
}
