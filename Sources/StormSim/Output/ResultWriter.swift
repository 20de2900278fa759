import Foundation

/// Writes a run's results into a folder: `summary.csv` and `timeseries/<variant>.csv`, each atomically.
///
/// Time series go first and the summary last, so a summary never points at time series from another run.
public enum ResultWriter {
    /// - Returns: the paths written, summary first.
    @discardableResult
    public static func write(_ results: [RunResult], to dir: String, trace: Bool = false) throws(AtomicFile.WriteError) -> [String] {
        var written: [String] = []
        let tracePath = "\(dir)/trace.csv"
        if trace {
            try AtomicFile.write(traceTable(results).text, to: tracePath)
            written.append(tracePath)
        } else {
            try? FileManager.default.removeItem(atPath: tracePath)
        }
        for result in results {
            let path = "\(dir)/timeseries/\(result.variant).csv"
            try AtomicFile.write(result.timeSeries.text, to: path)
            written.append(path)
        }
        let summaryPath = "\(dir)/summary.csv"
        try AtomicFile.write(summaryTable(results).text, to: summaryPath)
        removeStaleTimeSeries(in: "\(dir)/timeseries", keeping: Set(results.map { "\($0.variant).csv" }))
        return [summaryPath] + written
    }

    /// Removes time series of variants that this run no longer has (an earlier run with other variants wrote
    /// them), so that the folder describes one run.
    static func removeStaleTimeSeries(in folder: String, keeping: Set<String>) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        for name in names where name.hasSuffix(".csv") && !keeping.contains(name) {
            try? FileManager.default.removeItem(atPath: "\(folder)/\(name)")
        }
    }

    /// Every traced step: variant, request, client, attempt, time_s, event, detail.
    public static func traceTable(_ results: [RunResult]) -> CSVTable {
        var table = CSVTable(header: ["variant", "request", "client", "attempt", "time_s", "event", "detail"])
        for r in results {
            for e in r.trace {
                table.append([.text(r.variant), .integer(e.request), .integer(e.client), .integer(e.attempt),
                    .number(e.time.seconds), .text(e.event), .text(e.detail)])
            }
        }
        return table
    }

    /// One row per result, in the order given.
    public static func summaryTable(_ results: [RunResult]) -> CSVTable {
        var table = CSVTable(header: results.first?.summary.map(\.column) ?? [])
        for result in results { table.append(result.summary.map(\.value)) }
        return table
    }
}
