/// Writes a run's results into a folder: `summary.csv` and `timeseries/<variant>.csv`, each atomically.
///
/// Time series go first and the summary last, so a summary never points at time series from another run.
public enum ResultWriter {
    /// - Returns: the paths written, summary first.
    @discardableResult
    public static func write(_ results: [RunResult], to dir: String) throws(AtomicFile.WriteError) -> [String] {
        var written: [String] = []
        for result in results {
            let path = "\(dir)/timeseries/\(result.variant).csv"
            try AtomicFile.write(result.timeSeries.text, to: path)
            written.append(path)
        }
        let summaryPath = "\(dir)/summary.csv"
        try AtomicFile.write(summaryTable(results).text, to: summaryPath)
        return [summaryPath] + written
    }

    /// One row per result, in the order given.
    public static func summaryTable(_ results: [RunResult]) -> CSVTable {
        var table = CSVTable(header: results.first?.summary.map(\.column) ?? [])
        for result in results { table.append(result.summary.map(\.value)) }
        return table
    }
}
