import Foundation

/// `stormsim compare`: two results folders of the same scenario (a baseline A and a candidate B), metric by metric
/// and variant by variant, with whether each difference is more than chance.
///
/// With replications on both sides the per-replication values (`replications.csv`) decide: when both ran the same
/// seeds, the differences are paired replication by replication (common random numbers: the noise both share
/// cancels, so the interval is much tighter); otherwise Welch's interval of two independent means. A difference is
/// significant when its 95% interval excludes 0. With one run each there is no interval: any difference is
/// reported as such.
public enum Comparison {
    /// One results folder as `stormsim run` wrote it.
    public struct Folder: Sendable {
        public var path: String
        public var variants: [String]
        /// Per variant, per metric: its value (the mean over replications when there are several).
        public var values: [String: [String: Double]]
        /// Per variant, the replications' seeds and per metric their values, in replication order (empty: one run).
        public var seeds: [String: [String]]
        public var samples: [String: [String: [Double]]]

        /// Reads `summary.csv` and, when present, `replications.csv`.
        public static func load(_ path: String) throws(ComparisonError) -> Folder {
            let summary = try table(path, "summary.csv", required: true)!
            guard let header = summary.first, let v = header.firstIndex(of: "variant") else {
                throw ComparisonError(message: "\(path)/summary.csv: no header with a variant column (not a stormsim results folder?)")
            }
            var folder = Folder(path: path, variants: [], values: [:], seeds: [:], samples: [:])
            for row in summary.dropFirst() where row.count == header.count {
                let name = row[v]
                folder.variants.append(name)
                var values: [String: Double] = [:]
                for (k, column) in header.enumerated() {
                    guard let x = Double(row[k]) else { continue }
                    // With replications a metric M has M_mean (and M_ci95); without, M itself.
                    if column.hasSuffix("_mean") { values[String(column.dropLast(5))] = x } else if !column.hasSuffix("_ci95"), values[column] == nil { values[column] = x }
                }
                folder.values[name] = values
            }
            if let reps = try table(path, "replications.csv", required: false), let head = reps.first,
                let rv = head.firstIndex(of: "variant"), let rs = head.firstIndex(of: "seed")
            {
                for row in reps.dropFirst() where row.count == head.count {
                    let name = row[rv]
                    folder.seeds[name, default: []].append(row[rs])
                    for (k, column) in head.enumerated() where k != rv && k != rs {
                        folder.samples[name, default: [:]][column, default: []].append(Double(row[k]) ?? .nan)
                    }
                }
            }
            return folder
        }

        static func table(_ path: String, _ file: String, required: Bool) throws(ComparisonError) -> [[String]]? {
            let url = URL(fileURLWithPath: path).appendingPathComponent(file)
            guard let data = FileManager.default.contents(atPath: url.path) else {
                if !required { return nil }
                var isFolder: ObjCBool = false
                let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isFolder)
                throw ComparisonError(message: exists && isFolder.boolValue
                    ? "\(path) has no \(file) (not a results folder written by 'stormsim run'?)"
                    : "\(path): no such results folder")
            }
            do { return try CSVReader.rows(String(decoding: data, as: UTF8.self)) } catch {
                throw ComparisonError(message: "\(url.path): \(error)")
            }
        }
    }

    /// Which way a metric is better, when it has one.
    public enum Better: String, Sendable { case higher, lower }

    public static func better(_ metric: String) -> Better? {
        let higher = ["success_rate", "succeeded", "recovered", "hit_ratio", "served"]
        let lower = [
            "failed", "unfinished", "amplification", "attempts", "retries", "timeouts", "rejected", "errors", "throttled",
            "conflicts", "fast_failed", "budget_refused", "dropped", "wasted", "wasted_work_fraction", "makespan_s",
            "recovery_time_s", "duplicates", "dead_lettered", "instance_seconds", "crashes", "lost",
        ]
        if metric.hasPrefix("latency_") { return .lower }
        if higher.contains(where: { metric == $0 || metric.hasSuffix("_" + $0) }) { return .higher }
        if lower.contains(where: { metric == $0 || metric.hasSuffix("_" + $0) }) { return .lower }
        return nil
    }

    /// The comparison of one metric of one variant.
    public struct Row: Sendable {
        public var variant: String
        public var metric: String
        public var a: Double
        public var b: Double
        public var difference: Double { b - a }
        /// Half-width of the 95% interval of the difference (nil: one run on a side, no interval).
        public var interval: Double?
        /// The interval is of paired differences (same seeds on both sides).
        public var paired: Bool
        /// nil without an interval.
        public var significant: Bool?

        /// "better", "worse", "higher", "lower", "no significant difference" or "same".
        public var verdict: String {
            if a == b || (a.isNaN && b.isNaN) { return "same" }
            if significant == false { return "no significant difference" }
            let up = b > a
            let word: String
            switch better(metric) {
            case .higher?: word = up ? "better" : "worse"
            case .lower?: word = up ? "worse" : "better"
            case nil: word = up ? "higher" : "lower"
            }
            return significant == nil ? "\(word) (one run each)" : word
        }
    }

    /// Every metric of `metrics` for every variant in both folders, in A's order.
    public static func rows(a: Folder, b: Folder, metrics: [String]) -> [Row] {
        var rows: [Row] = []
        for variant in a.variants where b.values[variant] != nil {
            for metric in metrics {
                guard let x = a.values[variant]?[metric], let y = b.values[variant]?[metric] else { continue }
                var row = Row(variant: variant, metric: metric, a: x, b: y, interval: nil, paired: false, significant: nil)
                if let sa = a.samples[variant]?[metric], let sb = b.samples[variant]?[metric], sa.count >= 2, sb.count >= 2 {
                    if a.seeds[variant] == b.seeds[variant] {
                        let d = zip(sa, sb).map { $1 - $0 }.filter { !$0.isNaN }
                        if d.count >= 2 {
                            let (mean, sd) = meanAndSD(d)
                            row.interval = StudentT.halfWidth(sd: sd, n: d.count)
                            row.paired = true
                            row.significant = abs(mean) > row.interval!
                        }
                    } else {
                        let xa = sa.filter { !$0.isNaN }, xb = sb.filter { !$0.isNaN }
                        if xa.count >= 2 && xb.count >= 2 {
                            let (ma, sda) = meanAndSD(xa), (mb, sdb) = meanAndSD(xb)
                            let va = sda * sda / Double(xa.count), vb = sdb * sdb / Double(xb.count)
                            let se = (va + vb).squareRoot()
                            // Welch-Satterthwaite degrees of freedom.
                            let den = va * va / Double(xa.count - 1) + vb * vb / Double(xb.count - 1)
                            let df = den > 0 ? max(1, Int(((va + vb) * (va + vb) / den).rounded(.down))) : xa.count + xb.count - 2
                            row.interval = StudentT.quantile975(df: df) * se
                            row.significant = abs(mb - ma) > row.interval!
                        }
                    }
                }
                rows.append(row)
            }
        }
        return rows
    }

    static func meanAndSD(_ x: [Double]) -> (Double, Double) {
        let mean = x.reduce(0, +) / Double(x.count)
        let ss = x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        return (mean, (ss / Double(max(1, x.count - 1))).squareRoot())
    }

    /// A gate such as "success_rate decreases": it trips when a variant's metric moved that way, significantly
    /// (or, with one run each, at all).
    public struct Gate: Sendable, Equatable {
        public enum Direction: String, Sendable, CaseIterable { case decreases, increases, worsens, changes }
        public var metric: String
        public var direction: Direction
        public var text: String { "\(metric) \(direction.rawValue)" }

        public static func parse(_ text: String) -> Gate? {
            let words = text.split(separator: " ", omittingEmptySubsequences: true)
            guard words.count == 2, let d = Direction(rawValue: String(words[1])) else { return nil }
            return Gate(metric: String(words[0]), direction: d)
        }

        /// The rows that trip it.
        public func tripped(by rows: [Row]) -> [Row] {
            rows.filter { row in
                guard row.metric == metric, row.significant != false, row.a != row.b, !row.a.isNaN, !row.b.isNaN else { return false }
                switch direction {
                case .decreases: return row.b < row.a
                case .increases: return row.b > row.a
                case .changes: return true
                case .worsens:
                    switch better(metric) {
                    case .higher?: return row.b < row.a
                    case .lower?: return row.b > row.a
                    case nil: return false
                    }
                }
            }
        }
    }
}

public struct ComparisonError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
