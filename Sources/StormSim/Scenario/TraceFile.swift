import Foundation

/// Replayed traffic: the arrivals of a CSV file (`"arrival": {"type": "trace", "file": "traffic.csv"}`).
///
/// Two formats, told apart by the header:
/// - `time_s`: one request per row, at that many seconds from the start, handed to the clients in turn (row k to
///   client k mod count). With `multiplier` m (a whole number), each row sends m requests.
/// - `time_s,rate`: from each row's time on, requests arrive as a Poisson process of `rate` per second (for all
///   clients together, handed to them in turn) until the next row's time; the last row's rate holds to the end
///   of the run (end the file with a rate of 0 to stop). `multiplier` scales every rate.
///
/// Times are multiplied by `timeScale` (0.5 replays twice as fast). Rows must be in time order.
public struct Trace: Equatable, Sendable {
    public enum Kind: String, Sendable { case requests, rates }

    public var kind: Kind
    /// The file as the scenario names it (relative to the scenario's folder).
    public var file: String
    /// Requests: each row's time, scaled. Rates: each row's start time, scaled.
    public var times: [SimDuration]
    /// Rates: requests per second from the row's time on, multiplier applied (empty for requests).
    public var rates: [Double]
    /// Requests: requests per row (a whole number).
    public var perRow: Int

    /// Requests starting before `end`.
    public func expectedRequests(before end: SimDuration) -> Double {
        switch kind {
        case .requests:
            var lo = 0, hi = times.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if times[mid] < end { lo = mid + 1 } else { hi = mid }
            }
            return Double(lo) * Double(perRow)
        case .rates:
            var total = 0.0
            for i in times.indices where times[i] < end {
                let until = i + 1 < times.count ? min(times[i + 1], end) : end
                total += rates[i] * Double(until.nanoseconds - times[i].nanoseconds) / 1e9
            }
            return total
        }
    }

    /// The most requests that start within any `window` (an upper bound for rates: the peak rate times the window).
    public func peakRequests(within window: SimDuration) -> Double {
        switch kind {
        case .requests:
            var best = 0, first = 0
            for last in times.indices {
                while times[last].nanoseconds - times[first].nanoseconds >= window.nanoseconds { first += 1 }
                best = max(best, last - first + 1)
            }
            return Double(best * perRow)
        case .rates:
            return (rates.max() ?? 0) * window.seconds
        }
    }
}

/// Reads a trace file and reports each problem with its line number.
enum TraceFile {
    /// Rows a trace may have (8 bytes each in memory).
    static let maxRows = 100_000_000
    /// The latest time a row may name, in seconds after scaling (a run is at most this long anyway).
    static let maxSeconds = 1e9

    static func read(
        file: String, folder: String, timeScale: Double, multiplier: Double, at path: JSONPath, context: DecodeContext
    ) -> Trace? {
        let full = file.hasPrefix("/") || folder.isEmpty ? file : folder + "/" + file
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: full, isDirectory: &isFolder), !isFolder.boolValue else {
            context.fail(path, "the trace \(JSONValue.quote(full)) does not exist\(isFolder.boolValue ? " (it is a folder)" : ""); the path is relative to the scenario file's folder")
            return nil
        }
        guard let data = FileManager.default.contents(atPath: full), let text = String(data: data, encoding: .utf8) else {
            context.fail(path, "the trace \(JSONValue.quote(full)) cannot be read as UTF-8 text")
            return nil
        }
        return parse(text, file: file, timeScale: timeScale, multiplier: multiplier, at: path, context: context)
    }

    static func parse(
        _ text: String, file: String, timeScale: Double, multiplier: Double, at path: JSONPath, context: DecodeContext
    ) -> Trace? {
        // Lines end with \n or \r\n (one Character to Swift, and a newline).
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        while let last = lines.last, last.allSatisfy(\.isWhitespace) { lines.removeLast() }
        func fail(_ line: Int, _ message: String) { context.fail(path, "\(file) line \(line): \(message)") }
        guard let header = lines.first else {
            context.fail(path, "\(file) is empty; expected a header line, time_s or time_s,rate, then one row per line")
            return nil
        }
        let columns = header.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let kind: Trace.Kind
        switch columns {
        case ["time_s"]: kind = .requests
        case ["time_s", "rate"]: kind = .rates
        default:
            fail(1, "found the header \(JSONValue.quote(String(header.prefix(80)))); expected time_s (a request per row) or time_s,rate (a rate per second from each row's time on)")
            return nil
        }
        if kind == .requests && (multiplier != multiplier.rounded() || multiplier < 1) {
            context.fail(path, "multiplier \(NumberFormat.shortest(multiplier)) for a trace of requests; expected a whole number of requests per row, 1 or more")
            return nil
        }
        guard lines.count - 1 <= maxRows else {
            context.fail(path, "\(file) has \(lines.count - 1) rows; the limit is \(maxRows)")
            return nil
        }
        var times: [SimDuration] = []
        var rates: [Double] = []
        times.reserveCapacity(lines.count - 1)
        var previous = -Double.infinity
        var problems = 0
        for (i, line) in lines.enumerated().dropFirst() where problems < 5 {
            let number = i + 1
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count == columns.count else {
                fail(number, "found \(cells.count) cell\(cells.count == 1 ? "" : "s") (\(JSONValue.quote(String(line.prefix(80))))); expected \(columns.count): \(columns.joined(separator: ","))")
                problems += 1
                continue
            }
            guard let t = Double(cells[0]), t.isFinite, t >= 0 else {
                fail(number, "found \(JSONValue.quote(String(cells[0].prefix(40)))) for time_s; expected seconds from the start, a number 0 or more")
                problems += 1
                continue
            }
            guard t >= previous else {
                fail(number, "time_s \(NumberFormat.shortest(t)) comes before the previous row's \(NumberFormat.shortest(previous)); expected the rows in time order (sort the file by time_s)")
                problems += 1
                continue
            }
            previous = t
            let scaled = t * timeScale
            guard scaled <= maxSeconds else {
                fail(number, "time_s \(NumberFormat.shortest(t)) x timeScale \(NumberFormat.shortest(timeScale)) is \(NumberFormat.shortest(scaled)) s; expected at most \(NumberFormat.scientific(maxSeconds)) s")
                problems += 1
                continue
            }
            times.append(SimDuration(saturating: scaled * 1e9))
            if kind == .rates {
                guard let r = Double(cells[1]), r.isFinite, r >= 0, r * multiplier <= 1e9 else {
                    fail(number, "found \(JSONValue.quote(String(cells[1].prefix(40)))) for rate; expected requests per second, a number from 0 to 1e9 (after the multiplier)")
                    problems += 1
                    continue
                }
                rates.append(r * multiplier)
            }
        }
        if problems == 5 { context.fail(path, "\(file): more problems may follow; fix these first") }
        guard problems == 0 else { return nil }
        guard !times.isEmpty else {
            context.fail(path, "\(file) has a header but no rows; expected one row per line after it")
            return nil
        }
        return Trace(kind: kind, file: file, times: times, rates: rates, perRow: kind == .requests ? Int(multiplier) : 1)
    }
}

/// Trace files read while decoding one scenario file, so that the variants of a sweep read each once. A failed
/// read is not kept: every variant reports its problem (they are merged into one report).
final class TraceCache {
    private var entries: [(file: String, timeScale: Double, multiplier: Double, trace: Trace)] = []

    func trace(file: String, timeScale: Double, multiplier: Double, read: () -> Trace?) -> Trace? {
        if let hit = entries.first(where: { $0.file == file && $0.timeScale == timeScale && $0.multiplier == multiplier }) {
            return hit.trace
        }
        guard let trace = read() else { return nil }
        entries.append((file, timeScale, multiplier, trace))
        return trace
    }
}
