import Foundation

/// Writes a run's outputs as one results set (see `ResultFolder`): `run.json`, `timeseries/<variant>.csv`,
/// `trace.csv` when traced, `replications.csv` (streamed by the caller) and `summary.csv`, then `manifest.json`.
public enum ResultWriter {
    /// The files of a results set, relative to its folder (what `ResultFolder` checks before the run).
    public static func files(variants: [String], trace: Bool, replications: Bool, instances: Bool = false, summaryJSON: Bool = true) -> [String] {
        var files = ["run.json", "summary.csv"] + (summaryJSON ? ["summary.json"] : []) + variants.map { "timeseries/\($0).csv" }
        if trace { files.append("trace.csv") }
        if replications { files.append("replications.csv") }
        if instances { files.append("instances.csv") }
        return files
    }

    /// Writes the set into `folder` and commits it.
    /// - Returns: the paths written, summary first.
    @discardableResult
    public static func write(
        _ outputs: [Aggregator.VariantOutput], names: [String], into folder: ResultFolder, replications: StreamingFile? = nil,
        trace: [(variant: String, events: [TraceEvent])]? = nil, description: String? = nil, summaryJSON: String? = nil
    ) throws(AtomicFile.WriteError) -> [String] {
        let dir = folder.path
        var written: [String] = []
        do throws(AtomicFile.WriteError) {
            if let description {
                try folder.write(description, to: "run.json")
                written.append("\(dir)/run.json")
            }
            for (output, name) in zip(outputs, names) {
                if !output.seriesWritten { try writeSeries(output, name: name, into: folder) }
                written.append("\(dir)/timeseries/\(name).csv")
            }
            if let trace {
                try folder.write(traceTable(trace).text, to: "trace.csv")
                written.append("\(dir)/trace.csv")
            }
            if let replications {
                try replications.commit()
                written.append("\(dir)/replications.csv")
            }
            if outputs.contains(where: { !$0.instances.isEmpty }) {
                try folder.write(instancesTable(outputs).text, to: "instances.csv")
                written.append("\(dir)/instances.csv")
            }
            var summary = CSVTable(header: outputs.first?.summary.map(\.column) ?? [])
            for output in outputs { summary.append(output.summary.map(\.value)) }
            if let summaryJSON {
                try folder.write(summaryJSON, to: "summary.json")
                written.append("\(dir)/summary.json")
            }
            try folder.write(summary.text, to: "summary.csv")
            try folder.commit()
        } catch {
            folder.discard()
            throw error
        }
        return ["\(dir)/summary.csv"] + written
    }

    /// Writes one variant's `timeseries/<name>.csv` into the folder's staging area, a chunk of rows at a time
    /// (the same bytes as `CSVTable`, without the whole text in memory).
    public static func writeSeries(_ output: Aggregator.VariantOutput, name: String, into folder: ResultFolder) throws(AtomicFile.WriteError) {
        let stream = try folder.stream("timeseries/\(name).csv")
        // Bytes, not a String: appending to a String costs hundreds of instructions a cell.
        var chunk = TextBytes(capacity: 1 << 17)
        chunk.append(output.seriesHeader.map(CSVTable.escape).joined(separator: ",") + "\n")
        let rows = output.seriesRows
        // The cells after time_s of one row, with their commas and the line's end.
        func appendCells(_ row: Int, to bytes: inout TextBytes) {
            for column in 1..<Swift.max(1, rows.width) {
                bytes.append(UInt8(ascii: ","))
                NumberFormat.appendShortest(rows.cell(row, column), to: &bytes)
            }
            bytes.append(UInt8(ascii: "\n"))
        }
        // Rows after the stored ones differ only in time_s: their other cells are formatted once.
        var tailCells = TextBytes()
        for index in rows.indices where rows.width > 0 {
            // time_s, from the row's integer nanoseconds when it is the row's start (it always is but in a table
            // read back from a file).
            let time = rows.cell(index, 0)
            if rows.interval > 0 && time == rows.time(ofRow: index) {
                NumberFormat.appendSeconds(nanoseconds: Int64(index) * rows.interval, to: &chunk)
            } else {
                NumberFormat.appendShortest(time, to: &chunk)
            }
            if index >= rows.storedCount && index < rows.count - 1 {
                if tailCells.count == 0 { appendCells(index, to: &tailCells) }
                chunk.append(tailCells)
            } else {
                appendCells(index, to: &chunk)
            }
            if chunk.count >= 1 << 16 {
                stream.write(chunk.bytes)
                chunk.removeAll()
            }
        }
        stream.write(chunk.bytes)
        try stream.commit()
    }

    /// Single runs, without replications (for tests and library users).
    @discardableResult
    public static func write(_ results: [RunResult], to dir: String, trace: Bool = false) throws(AtomicFile.WriteError) -> [String] {
        let outputs = results.map {
            Aggregator.VariantOutput(
                summary: $0.summary, seriesHeader: $0.seriesHeader, seriesRows: $0.seriesRows, means: [:], instances: $0.instances)
        }
        let names = results.map(\.variant)
        let fleets = results.contains { !$0.instances.isEmpty }
        let folder = try ResultFolder(path: dir, files: files(variants: names, trace: trace, replications: false, instances: fleets, summaryJSON: false))
        return try write(outputs, names: names, into: folder, trace: trace ? results.map { ($0.variant, $0.trace) } : nil)
    }

    /// `run.json`: what was run, for plots and for the record: the scenario, the variants with their varied
    /// values, the interval, the replications, and the fault and load windows (the triggers a timeline shades).
    public static func runDescription(_ set: ScenarioSet, replications: Int) -> String {
        let first = set.variants[0].scenario
        var triggers: [JSONValue] = []
        for service in first.services {
            for f in service.faults {
                let kind: String
                switch f.effect {
                case .outage: kind = "outage"
                case .capacity: kind = "capacity drop"
                case .slowdown: kind = "slowdown"
                case .errorRate: kind = "error rate"
                case .cacheFlush: kind = "cache flush"
                case .crash: kind = "crash"
                }
                triggers.append(.object([
                    JSONMember(key: "from_s", value: .number(f.from.seconds)), JSONMember(key: "to_s", value: .number(f.to.seconds)),
                    JSONMember(key: "what", value: .string("\(service.name) \(kind)")),
                ]))
            }
        }
        for change in first.clients.load {
            let what = change.rampTo.map { "load ramp x\(NumberFormat.shortest(change.multiplier)) to x\(NumberFormat.shortest($0))" }
                ?? "load x\(NumberFormat.shortest(change.multiplier))"
            triggers.append(.object([
                JSONMember(key: "from_s", value: .number(change.from.seconds)), JSONMember(key: "to_s", value: .number(change.to.seconds)),
                JSONMember(key: "what", value: .string(what)),
            ]))
        }
        let variants: [JSONValue] = set.variants.map { v in
            .object([
                JSONMember(key: "name", value: .string(v.name)),
                JSONMember(key: "values", value: .array(v.parameters.map { .string($0.label) })),
            ])
        }
        let json = JSONValue.object([
            JSONMember(key: "scenario", value: .string(set.name)),
            JSONMember(key: "description", value: .string(first.description)),
            JSONMember(key: "seed", value: SummaryJSON.seed(first.seed)),
            JSONMember(key: "replications", value: .number(Double(replications))),
            JSONMember(key: "duration_s", value: .number(first.duration.seconds)),
            JSONMember(key: "interval_s", value: .number(first.metricsInterval.seconds)),
            JSONMember(key: "target", value: .string(first.clients.target)),
            JSONMember(key: "varied", value: .array(set.variedPaths.map { .string($0) })),
            JSONMember(key: "variants", value: .array(variants)),
            JSONMember(key: "triggers", value: .array(triggers)),
        ])
        return json.compactText + "\n"
    }

    /// Every traced step: variant, request, client, caller, service, instance, attempt, time_s, event, detail.
    public static func traceTable(_ traces: [(variant: String, events: [TraceEvent])]) -> CSVTable {
        var table = CSVTable(header: ["variant", "request", "client", "caller", "service", "instance", "attempt", "time_s", "event", "detail"])
        for (variant, events) in traces {
            for e in events {
                table.append([.text(variant), .integer(e.request), .integer(e.client), .text(e.caller), .text(e.service),
                    e.instance >= 0 ? .integer(e.instance) : .empty, .integer(e.attempt), .number(e.time.seconds), .text(e.event), .text(e.detail)])
            }
        }
        return table
    }

    /// One row per result, in the order given.
    /// `instances.csv`: a row per variant and instance of each service with several instances.
    public static func instancesTable(_ outputs: [Aggregator.VariantOutput]) -> CSVTable {
        var table = CSVTable(header: ["scenario", "variant", "service", "instance"] + InstanceMetric.allCases.map(\.rawValue))
        for output in outputs {
            let scenario = output.summary.first { $0.column == "scenario" }?.value ?? .empty
            let variant = output.summary.first { $0.column == "variant" }?.value ?? .empty
            for row in output.instances {
                table.append([scenario, variant, .text(row.service), .integer(row.instance)] + row.values.map { .number($0) })
            }
        }
        return table
    }

    public static func summaryTable(_ results: [RunResult]) -> CSVTable {
        var table = CSVTable(header: results.first?.summary.map(\.column) ?? [])
        for result in results { table.append(result.summary.map(\.value)) }
        return table
    }
}
