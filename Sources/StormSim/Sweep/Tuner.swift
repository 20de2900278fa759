/// `stormsim tune`: racing with common random numbers. Every candidate (a combination of the `vary` values) runs a
/// few replications under every condition; candidates shown infeasible, or worse than the best feasible one, with
/// 95% confidence (paired differences: replication r of every candidate uses the same seed) are dropped; the
/// survivors get twice as many replications, until one is left or the replications reach the maximum. The same
/// scenario and seed give the same answer.
public struct Tuner {
    /// A mean with the half-width of its 95% interval (NaN with fewer than two values).
    public struct Estimate: Equatable, Sendable {
        public var mean: Double
        public var halfWidth: Double
        public var n: Int

        public init(_ values: [Double]) {
            n = values.count
            mean = values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count)
            let m = mean
            let sd = values.count < 2 ? Double.nan : (values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(values.count - 1)).squareRoot()
            halfWidth = StudentT.halfWidth(sd: sd, n: values.count)
        }

        /// The interval's ends (the mean itself when there is no interval).
        public var low: Double { halfWidth.isNaN ? mean : mean - halfWidth }
        public var high: Double { halfWidth.isNaN ? mean : mean + halfWidth }
    }

    public enum Status: String, Sendable {
        case recommended, survived, infeasible, dominated
    }

    public struct Candidate: Sendable {
        public var name: String
        /// The values of the varied paths (conditions excluded).
        public var parameters: [Variant.Parameter]
        /// Per condition, the variant index in the set.
        var variants: [Int]
        /// values[condition][replication][k]: the objective (k = 0) and each constraint's metric.
        var values: [[[Double]]]
        public var status: Status = .survived
        public var reason: String = ""

        public var replications: Int { values.first?.count ?? 0 }
        /// The variant of the set that is this candidate under the first condition.
        public var variantIndex: Int { variants[0] }
    }

    public let set: ScenarioSet
    public let spec: TuneSpec
    /// The conditions' labels ([""] when the scenario has none), and the candidates in the order of `vary`.
    public let conditions: [String]
    public private(set) var candidates: [Candidate]
    /// Runs made so far.
    public private(set) var runs = 0
    /// The replications of each stage, for the report.
    public private(set) var stages: [(replications: Int, alive: Int)] = []

    public init(set: ScenarioSet, spec: TuneSpec) {
        self.set = set
        self.spec = spec
        let hasConditions = !spec.conditions.isEmpty
        conditions = hasConditions ? spec.conditions : [""]
        var byName: [String: Int] = [:]
        var list: [Candidate] = []
        for (i, v) in set.variants.enumerated() {
            let params = hasConditions ? Array(v.parameters.dropFirst()) : v.parameters
            let condition = hasConditions ? (spec.conditions.firstIndex(of: v.parameters[0].label) ?? 0) : 0
            let name = params.isEmpty ? "base" : params.map(\.label).joined(separator: "_")
            if byName[name] == nil {
                byName[name] = list.count
                list.append(Candidate(name: name, parameters: params, variants: Array(repeating: -1, count: conditions.count),
                                      values: Array(repeating: [], count: conditions.count)))
            }
            list[byName[name]!].variants[condition] = i
        }
        candidates = list
    }

    /// The metrics read from each run: the objective first, then each constraint's.
    var metrics: [String] { [spec.minimize] + spec.constraints.map(\.metric) }

    public var alive: [Int] { candidates.indices.filter { candidates[$0].status == .survived } }

    /// Runs the race. `run` simulates the given jobs (variant and replication of `set`) and returns their results in
    /// the order given; `progress` hears each stage.
    public mutating func race(
        firstReplications: Int = 3, run: ([Replications.Job]) -> [RunResult], progress: (Int, Int) -> Void = { _, _ in }
    ) {
        var r = min(max(2, firstReplications), spec.maxReplications)
        while true {
            let racing = alive
            progress(r, racing.count)
            stages.append((r, racing.count))
            evaluate(racing, upTo: r, run: run)
            eliminate()
            if alive.count <= 1 || r >= spec.maxReplications { break }
            r = min(r * 2, spec.maxReplications)
        }
        choose()
    }

    mutating func evaluate(_ which: [Int], upTo r: Int, run: ([Replications.Job]) -> [RunResult]) {
        var jobs: [Replications.Job] = []
        var slots: [(candidate: Int, condition: Int)] = []
        for c in which {
            for k in conditions.indices {
                for rep in candidates[c].values[k].count..<r {
                    jobs.append(Replications.Job(variant: candidates[c].variants[k], replication: rep, index: jobs.count))
                    slots.append((c, k))
                }
            }
        }
        let results = run(jobs)
        runs += jobs.count
        for (slot, result) in zip(slots, results) {
            candidates[slot.candidate].values[slot.condition].append(metrics.map { result.value($0) ?? .nan })
        }
    }

    /// The objective of each replication: its mean over the conditions.
    public func objective(_ c: Int) -> [Double] {
        let cand = candidates[c]
        return (0..<cand.replications).map { r in
            cand.values.map { $0[r][0] }.reduce(0, +) / Double(conditions.count)
        }
    }

    /// A constraint's estimate under one condition.
    public func constraintEstimate(_ c: Int, _ j: Int, condition k: Int) -> Estimate {
        Estimate(candidates[c].values[k].map { $0[j + 1] })
    }

    /// Whether every constraint's mean meets its bound under every condition.
    public func likelyFeasible(_ c: Int) -> Bool {
        for (j, constraint) in spec.constraints.enumerated() {
            for k in conditions.indices where !constraint.holds(constraintEstimate(c, j, condition: k).mean) { return false }
        }
        return true
    }

    /// Why a candidate is infeasible with 95% confidence, or nil.
    func infeasibility(_ c: Int) -> String? {
        for (j, constraint) in spec.constraints.enumerated() {
            for k in conditions.indices {
                let e = constraintEstimate(c, j, condition: k)
                let under = conditions[k].isEmpty ? "" : " under \(conditions[k])"
                if e.mean.isNaN { return "\(constraint.metric) is not defined\(under)" }
                // Proven: the whole interval is on the wrong side (with no spread, the mean is).
                let bad = constraint.atLeast ? e.high < constraint.bound : e.low > constraint.bound
                if bad { return "\(constraint.metric) \(Self.text(e))\(under) fails \(constraint)" }
            }
        }
        return nil
    }

    mutating func eliminate() {
        for c in alive { if let why = infeasibility(c) { candidates[c].status = .infeasible; candidates[c].reason = why } }
        guard let best = leader() else { return }
        let reference = objective(best)
        for c in alive where c != best {
            // A candidate whose every run measured the same as the leader's: its setting makes no difference here.
            if candidates[c].values == candidates[best].values && candidates[c].replications >= 2 {
                candidates[c].status = .dominated
                candidates[c].reason = "the same results as \(candidates[best].name) in every replication (its setting makes no difference here)"
                continue
            }
            let d = Estimate(zip(objective(c), reference).map { $0 - $1 })
            if d.low > 0 || (d.halfWidth.isNaN && d.mean > 0 && d.n > 1) {
                candidates[c].status = .dominated
                candidates[c].reason = "\(spec.minimize) higher than \(candidates[best].name)'s by \(Self.text(d)) (paired, \(d.n) replications)"
            }
        }
    }

    /// The alive candidate that looks feasible with the lowest objective mean (ties: the first).
    func leader() -> Int? {
        let feasible = alive.filter(likelyFeasible)
        return feasible.min { Estimate(objective($0)).mean < Estimate(objective($1)).mean }
    }

    mutating func choose() {
        if let best = leader() {
            candidates[best].status = .recommended
            candidates[best].reason = "the lowest \(spec.minimize) of the candidates that meet every constraint"
        }
        for c in alive where candidates[c].status == .survived && !likelyFeasible(c) {
            candidates[c].status = .infeasible
            candidates[c].reason = "misses a constraint on average (not proven at 95%)"
        }
        for c in alive where candidates[c].status == .survived {
            candidates[c].reason = "not shown worse than the recommended one at \(candidates[c].replications) replications"
        }
    }

    public var recommended: Int? { candidates.firstIndex { $0.status == .recommended } }

    /// Counts runs made by an earlier race (a refinement reports the runs of both).
    public mutating func addRuns(_ n: Int) { runs += n }

    /// The runs an exhaustive grid would make at the maximum replications (of the first race's grid, after a
    /// refinement).
    public var exhaustiveRuns: Int { gridRuns ?? candidates.count * conditions.count * spec.maxReplications }
    public var gridRuns: Int? = nil

    /// The feasible candidates no other feasible one beats on both the objective (lower) and the first constraint's
    /// metric (in its better direction), by mean: the trade-off a reviewer chooses on.
    public var frontier: [Int] {
        let feasible = candidates.indices.filter { candidates[$0].status != .infeasible && likelyFeasible($0) && candidates[$0].replications > 0 }
        guard let first = spec.constraints.first else { return feasible.filter { $0 == recommended } }
        func second(_ c: Int) -> Double {
            let v = (0..<conditions.count).map { constraintEstimate(c, 0, condition: $0).mean }.reduce(0, +) / Double(conditions.count)
            return first.atLeast ? v : -v
        }
        return feasible.filter { a in
            !feasible.contains { b in
                let oa = Estimate(objective(a)).mean, ob = Estimate(objective(b)).mean
                return b != a && ob <= oa && second(b) >= second(a) && (ob < oa || second(b) > second(a))
            }
        }.sorted { Estimate(objective($0)).mean < Estimate(objective($1)).mean }
    }

    static func text(_ e: Estimate) -> String {
        let m = NumberFormat.shortest(VariantExpansion.roundSignificant(e.mean, digits: 4))
        guard !e.halfWidth.isNaN else { return m }
        return m + " ± " + NumberFormat.shortest(VariantExpansion.roundSignificant(e.halfWidth, digits: 2))
    }
}

extension Tuner {
    /// One round of refinement around the recommended candidate: for each varied path whose values are numbers or
    /// durations, the values halfway to its neighbours in the grid (the other paths at the recommended values).
    /// Returns a `vary` object of those values (with the recommended's own), or nil when nothing is continuous.
    public func refinement() -> JSONValue? {
        guard let best = recommended else { return nil }
        let params = candidates[best].parameters
        var members: [JSONMember] = []
        var refined = false
        for (d, p) in params.enumerated() {
            func scalar(_ v: JSONValue) -> (Double, Bool)? {
                if case .number(let x) = v { return (x, false) }
                if case .success(let t) = DurationText.parse(v) { return (Double(t.nanoseconds), true) }
                return nil
            }
            let values = candidates.compactMap { c -> Double? in
                guard d < c.parameters.count, let (x, _) = scalar(c.parameters[d].value) else { return nil }
                return x
            }
            var distinct = Array(Set(values)).sorted()
            guard let (x, isDuration) = scalar(p.value), distinct.count >= 2, let i = distinct.firstIndex(of: x) else {
                members.append(JSONMember(key: p.path, value: .array([p.value])))
                continue
            }
            var list = [p.value]
            for neighbour in [i > 0 ? distinct[i - 1] : nil, i + 1 < distinct.count ? distinct[i + 1] : nil].compactMap({ $0 }) {
                // Whole numbers stay whole (attempts, workers); the rest to four significant digits.
                let integral = !isDuration && distinct.allSatisfy { $0 == $0.rounded() }
                let mid = integral ? ((x + neighbour) / 2).rounded(.down) : VariantExpansion.roundSignificant((x + neighbour) / 2, digits: 4)
                guard mid != x, mid != neighbour else { continue }
                list.append(isDuration ? .string(DurationText.format(SimDuration(nanoseconds: Int64(mid.rounded())))) : .number(mid))
                refined = true
            }
            distinct.removeAll()
            members.append(JSONMember(key: p.path, value: .array(list)))
        }
        return refined ? .object(members) : nil
    }
}
