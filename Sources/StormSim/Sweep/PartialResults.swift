import Foundation

/// The outputs of one shard of a run: a manifest (what was run) and one JSON line per job with everything the
/// merge needs to rebuild the run's outputs exactly: summary cells with their types, the time series, and the
/// latency histogram. Numbers are written in shortest round-trip form, so nothing is lost.
public enum PartialResults {
    public struct Manifest: Equatable, Sendable {
        /// The scenario file's text and name, the overrides and the seed override: what `merge` decodes again.
        public var scenarioText: String
        public var scenarioFile: String
        public var overrides: [String]
        public var seed: String?
        public var replications: Int
        public var shard: Shard
        public var jobs: Int

        public init(scenarioText: String, scenarioFile: String, overrides: [String], seed: String?, replications: Int, shard: Shard, jobs: Int) {
            self.scenarioText = scenarioText
            self.scenarioFile = scenarioFile
            self.overrides = overrides
            self.seed = seed
            self.replications = replications
            self.shard = shard
            self.jobs = jobs
        }

        var json: JSONValue {
            .object([
                JSONMember(key: "format", value: .string("stormsim-shard-2")),
                JSONMember(key: "scenarioFile", value: .string(scenarioFile)),
                JSONMember(key: "scenario", value: .string(scenarioText)),
                JSONMember(key: "overrides", value: .array(overrides.map { .string($0) })),
                JSONMember(key: "seed", value: seed.map { .string($0) } ?? .null),
                JSONMember(key: "replications", value: .number(Double(replications))),
                JSONMember(key: "shard", value: .string(shard.description)),
                JSONMember(key: "jobs", value: .number(Double(jobs))),
            ])
        }

        init?(_ json: JSONValue) {
            guard json["format"] == .string("stormsim-shard-2"),
                case .string(let file)? = json["scenarioFile"], case .string(let text)? = json["scenario"],
                case .array(let overrides)? = json["overrides"], case .number(let r)? = json["replications"],
                case .string(let shardText)? = json["shard"], let shard = Shard(shardText), case .number(let jobs)? = json["jobs"],
                r >= 1, r <= 1e6, r == r.rounded(), jobs >= 0, jobs <= 1e9, jobs == jobs.rounded()
            else { return nil }
            var seed: String?
            if case .string(let s)? = json["seed"] { seed = s }
            self.init(
                scenarioText: text, scenarioFile: file,
                overrides: overrides.compactMap { if case .string(let s) = $0 { return s } else { return nil } },
                seed: seed, replications: Int(r), shard: shard, jobs: Int(jobs))
        }

        /// Identifies the run every job of the shards belongs to: FNV-1a of the scenario text, the overrides, the
        /// seed override and the replications. Each job line carries it, so a line from another run is refused.
        public var runKey: String {
            let text = ([scenarioText] + overrides + [seed ?? "-", String(replications)]).joined(separator: "\u{0}")
            return String(RandomStreams.fnv1a(text), radix: 16)
        }

        /// Equal except for the shard number: the shards of one run.
        public func sameRun(as other: Manifest) -> Bool {
            scenarioText == other.scenarioText && overrides == other.overrides && seed == other.seed
                && replications == other.replications && shard.n == other.shard.n && jobs == other.jobs
        }
    }

    public struct ReadError: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    // MARK: writing

    public static func manifestText(_ m: Manifest) -> String { m.json.compactText + "\n" }

    /// One job as a JSON line; `run` is the manifest's `runKey`.
    public static func line(job: Int, run: String, _ r: RunResult) -> String {
        func cell(_ c: CSVTable.Cell) -> JSONValue {
            switch c {
            case .number(let d): return .array([.string("n"), d.isNaN ? .null : .string(d.description)])
            case .integer(let i): return .array([.string("i"), .string(String(i))])
            case .text(let t): return .array([.string("t"), .string(t)])
            case .empty: return .array([.string("e")])
            }
        }
        func number(_ d: Double) -> JSONValue { d.isFinite ? .number(d) : .null }
        let h = r.latency
        var members: [JSONMember] = [
            JSONMember(key: "job", value: .number(Double(job))),
            JSONMember(key: "run", value: .string(run)),
            JSONMember(key: "variant", value: .string(r.variant)),
            JSONMember(key: "seed", value: .string(String(r.seed))),
            JSONMember(key: "events", value: .number(Double(r.events))),
            JSONMember(key: "summary", value: .array(r.summary.map { .array([.string($0.column), cell($0.value)]) })),
            JSONMember(key: "seriesHeader", value: .array(r.seriesHeader.map { .string($0) })),
            JSONMember(key: "seriesRows", value: .array(r.seriesRows.map { .array($0.map(number)) })),
            JSONMember(key: "latency", value: .object([
                JSONMember(key: "buckets", value: .array(h.nonEmptyBuckets.map { .array([.number(Double($0.0)), .string(String($0.1))]) })),
                JSONMember(key: "count", value: .string(String(h.count))),
                JSONMember(key: "sum", value: .string(h.sum.description)),
                JSONMember(key: "min", value: .string(String(h.min))),
                JSONMember(key: "max", value: .string(String(h.max))),
            ])),
        ]
        if !r.instances.isEmpty {
            // Each value as its shortest exact text, so the merged means have the bits of an unsharded run.
            members.append(JSONMember(key: "instances", value: .array(r.instances.map { row in
                .array([.string(row.service), .number(Double(row.instance)), .array(row.values.map { .string($0.description) })])
            })))
        }
        return JSONValue.object(members).compactText + "\n"
    }

    // MARK: reading

    /// Reads a shard folder: its manifest and its jobs.
    public static func read(folder: String) throws(ReadError) -> (Manifest, [(job: Int, result: RunResult)]) {
        guard let manifestData = FileManager.default.contents(atPath: "\(folder)/shard.json"),
            let manifestJSON = try? JSONParser.parse(String(decoding: manifestData, as: UTF8.self))
        else { throw ReadError(message: "\(folder): not a shard folder (no readable shard.json; a shard is written by 'stormsim run --shard K/N')") }
        if case .string(let format)? = manifestJSON["format"], format.hasPrefix("stormsim-shard-"), format != "stormsim-shard-2" {
            throw ReadError(message: "\(folder)/shard.json: written by another version of stormsim (\(format)); run the shards again with this one")
        }
        guard let manifest = Manifest(manifestJSON) else {
            throw ReadError(message: "\(folder)/shard.json: not a valid shard manifest (a field is missing, of the wrong type or out of range)")
        }
        guard let jobsData = FileManager.default.contents(atPath: "\(folder)/jobs.jsonl") else {
            throw ReadError(message: "\(folder)/jobs.jsonl: missing; the shard did not finish")
        }
        var jobs: [(Int, RunResult)] = []
        for (n, line) in String(decoding: jobsData, as: UTF8.self).split(separator: "\n").enumerated() {
            guard let json = try? JSONParser.parse(String(line)), let job = decodeJob(json) else {
                throw ReadError(message: "\(folder)/jobs.jsonl: line \(n + 1) is not a job record")
            }
            guard json["run"] == .string(manifest.runKey) else {
                throw ReadError(message: "\(folder)/jobs.jsonl: line \(n + 1) belongs to another run (another scenario, --set, --seed or --replications than shard.json)")
            }
            jobs.append(job)
        }
        return (manifest, jobs)
    }

    static func decodeJob(_ json: JSONValue) -> (Int, RunResult)? {
        guard case .number(let job)? = json["job"], job == job.rounded(), job >= 0, job < 1e12,
            case .string(let variant)? = json["variant"],
            case .string(let seedText)? = json["seed"], let seed = UInt64(seedText), case .number(let events)? = json["events"],
            events == events.rounded(), events >= 0, events < 1e18,
            case .array(let summaryItems)? = json["summary"], case .array(let headerItems)? = json["seriesHeader"],
            case .array(let rowItems)? = json["seriesRows"], let latency = json["latency"]
        else { return nil }
        var summary: [(column: String, value: CSVTable.Cell)] = []
        for item in summaryItems {
            guard case .array(let pair) = item, pair.count == 2, case .string(let column) = pair[0],
                case .array(let typed) = pair[1], case .string(let type)? = typed.first
            else { return nil }
            let payload: String? = typed.count > 1 ? { if case .string(let s) = typed[1] { return s } else { return nil } }() : nil
            switch type {
            case "n": summary.append((column, .number(payload.flatMap(Double.init) ?? .nan)))
            case "i": guard let i = payload.flatMap({ Int($0) }) else { return nil }; summary.append((column, .integer(i)))
            case "t": guard let t = payload else { return nil }; summary.append((column, .text(t)))
            case "e": summary.append((column, .empty))
            default: return nil
            }
        }
        let header = headerItems.compactMap { if case .string(let s) = $0 { return s } else { return nil } }
        var rows: [[Double]] = []
        for row in rowItems {
            guard case .array(let cells) = row, cells.count == headerItems.count else { return nil }
            rows.append(cells.map { if case .number(let d) = $0 { return d } else { return .nan } })
        }
        guard case .array(let bucketItems)? = latency["buckets"],
            case .string(let countText)? = latency["count"], let count = UInt64(countText),
            case .string(let sumText)? = latency["sum"], let sum = Double(sumText),
            case .string(let minText)? = latency["min"], let min = Int64(minText),
            case .string(let maxText)? = latency["max"], let max = Int64(maxText)
        else { return nil }
        var buckets: [(Int, UInt64)] = []
        for b in bucketItems {
            guard case .array(let pair) = b, pair.count == 2, case .number(let i) = pair[0], case .string(let c) = pair[1],
                let n = UInt64(c), i >= 0, i < 1e6
            else { return nil }
            buckets.append((Int(i), n))
        }
        guard let histogram = Histogram(buckets: buckets, count: count, sum: sum, min: min, max: max) else { return nil }
        let scenarioName: String = { if case .text(let t)? = summary.first?.value { return t } else { return "" } }()
        var result = RunResult(
            scenario: scenarioName, variant: variant, seed: seed, summary: summary, seriesHeader: header, seriesRows: SeriesRows(rows),
            latency: histogram, events: Int(events), interrupted: false)
        if let items = json["instances"] {
            guard case .array(let rows) = items else { return nil }
            for row in rows {
                guard case .array(let parts) = row, parts.count == 3, case .string(let service) = parts[0],
                    case .number(let i) = parts[1], i == i.rounded(), i >= 0, i < Double(ScenarioLimits.maxInstances),
                    case .array(let valueItems) = parts[2], valueItems.count == InstanceMetric.allCases.count
                else { return nil }
                var values: [Double] = []
                for v in valueItems {
                    guard case .string(let text) = v, let d = Double(text) else { return nil }
                    values.append(d)
                }
                result.instances.append(InstanceRow(service: service, instance: Int(i), values: values))
            }
        }
        return (Int(job), result)
    }

    // MARK: checking a job against the run

    /// Why job `index` cannot be a job of `set` with `replications` (nil when it can): its variant, seed, summary
    /// columns and time-series shape must be exactly those the run would produce. Shards may come from anyone.
    public static func problem(job index: Int, _ r: RunResult, set: ScenarioSet, replications: Int) -> String? {
        let v = index / replications
        guard v < set.variants.count else { return "job \(index) is beyond the run's \(set.variants.count * replications) jobs" }
        let variant = set.variants[v]
        guard r.variant == variant.name else { return "job \(index) is variant \(JSONValue.quote(r.variant)), expected \(JSONValue.quote(variant.name))" }
        let seed = Replications.seed(base: variant.scenario.seed, replication: index % replications)
        guard r.seed == seed else { return "job \(index) was run with seed \(r.seed), expected \(seed)" }
        let columns = ["scenario", "variant"] + variant.parameters.map(\.path) + ["seed"]
            + Runner.metricColumns(services: variant.scenario.services.map(\.name))
        guard r.summary.map(\.column) == columns else { return "job \(index): its summary columns are not those of the scenario" }
        guard r.summary[0].value == .text(variant.scenario.name), r.summary[1].value == .text(variant.name),
            r.summary[columns.count - Runner.metricColumns(services: variant.scenario.services.map(\.name)).count - 1].value == .text(String(seed))
        else { return "job \(index): its summary names another scenario, variant or seed" }
        let header = Runner.timeSeriesHeader(variant.scenario)
        guard r.seriesHeader == header else { return "job \(index): its time-series columns are not those of the scenario" }
        let rows = Int((variant.scenario.duration.nanoseconds + variant.scenario.metricsInterval.nanoseconds - 1) / variant.scenario.metricsInterval.nanoseconds)
        guard r.seriesRows.count == rows, r.seriesRows.allSatisfy({ $0.count == header.count }) else {
            return "job \(index): its time series has the wrong number of rows or cells"
        }
        return nil
    }
}
