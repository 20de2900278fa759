/// `stormsim margin`: how large a trigger (a fault window or a load change) can grow before the system stops
/// recovering. The trigger is scaled in duration or magnitude; at each size, replications estimate P(recovered);
/// the tipping size, where it falls below one half, is found by doubling and then bisection.
public enum Margin {
    public enum Scale: String, Sendable, CaseIterable { case duration, magnitude }

    /// A trigger of the scenario: a fault window of a service, or a change of the load.
    public struct Trigger: Equatable, Sendable {
        public enum Source: Equatable, Sendable { case fault(service: Int, index: Int), load(index: Int) }
        public var source: Source
        public var from: SimDuration
        public var to: SimDuration
        /// "an outage of api", "a x2 load spike", ...
        public var what: String
        /// Its magnitude as written (the load multiplier, the slowdown factor, the capacity removed, the error rate),
        /// or nil when it has none (an outage, a crash, a cache flush).
        public var magnitude: Double?
        /// The magnitude's unit in sentences: "x" before a factor, or "" for a fraction.
        public var magnitudeIsFactor: Bool

        public var duration: Double { Double(to.nanoseconds - from.nanoseconds) / 1e9 }
    }

    /// The triggers in order: each service's faults, then the load changes. Windows that start at 0 shape the whole
    /// run and are not triggers (as for the `recovered` verdict).
    public static func triggers(_ s: Scenario) -> [Trigger] {
        var result: [Trigger] = []
        for (i, service) in s.services.enumerated() {
            for (k, f) in service.faults.enumerated() where f.from > .zero {
                var magnitude: Double?, factor = true
                let what: String
                switch f.effect {
                case .outage: what = "an outage of \(service.name)"
                case .capacity(let workers):
                    let total = Double(service.workers)
                    magnitude = total > 0 ? 1 - Double(workers) / total : nil
                    factor = false
                    what = "a capacity cut of \(service.name)"
                case .slowdown(let x): magnitude = x; what = "a slowdown of \(service.name)"
                case .errorRate(let p): magnitude = p; factor = false; what = "errors at \(service.name)"
                case .cacheFlush: what = "a cache flush of \(service.name)"
                case .crash: what = "a crash of \(service.name)"
                }
                result.append(Trigger(source: .fault(service: i, index: k), from: f.from, to: f.to, what: what, magnitude: magnitude, magnitudeIsFactor: factor))
            }
        }
        for (k, change) in s.clients.load.enumerated() where change.from > .zero {
            result.append(Trigger(source: .load(index: k), from: change.from, to: change.to, what: "a load spike",
                                  magnitude: change.peak, magnitudeIsFactor: true))
        }
        return result
    }

    /// The scenario with `trigger` lasting `duration` seconds (the run extended to keep the time it had after the
    /// trigger) or with magnitude `magnitude`.
    public static func scaled(_ s: Scenario, _ trigger: Trigger, duration: Double? = nil, magnitude: Double? = nil) -> Scenario {
        var s = s
        if let duration {
            let newTo = SimDuration(nanoseconds: trigger.from.nanoseconds + Int64((min(duration, 1e9) * 1e9).rounded()))
            let tail = s.duration.nanoseconds - trigger.to.nanoseconds
            s.duration = SimDuration(nanoseconds: max(s.duration.nanoseconds, newTo.nanoseconds + tail))
            switch trigger.source {
            case .fault(let i, let k): s.services[i].faults[k].to = newTo
            case .load(let k): s.clients.load[k].to = newTo
            }
        }
        if let m = magnitude {
            switch trigger.source {
            case .fault(let i, let k):
                switch s.services[i].faults[k].effect {
                case .capacity: s.services[i].faults[k].effect = .capacity(workers: max(0, Int((Double(s.services[i].workers) * (1 - min(1, m))).rounded())))
                case .slowdown: s.services[i].faults[k].effect = .slowdown(factor: m)
                case .errorRate: s.services[i].faults[k].effect = .errorRate(min(1, m))
                default: break
                }
            case .load(let k):
                let c = s.clients.load[k]
                let ratio = c.rampTo.map { $0 / max(c.multiplier, 1e-9) }
                s.clients.load[k].multiplier = c.rampTo == nil ? m : m / max(ratio ?? 1, 1e-9)
                if c.rampTo != nil { s.clients.load[k].rampTo = m }
            }
        }
        return s
    }

    /// P(recovered) at one size: the recovered replications of `n`, with a Wilson 95% interval.
    public struct Point: Equatable, Sendable {
        public var size: Double
        public var recovered: Int
        public var n: Int
        public var p: Double { n == 0 ? .nan : Double(recovered) / Double(n) }

        public init(size: Double, recovered: Int, n: Int) {
            self.size = size
            self.recovered = recovered
            self.n = n
        }

        /// Wilson's score interval at 95%.
        public var interval: (low: Double, high: Double) {
            guard n > 0 else { return (.nan, .nan) }
            let z = 1.959963984540054, nn = Double(n), ph = p
            let centre = (ph + z * z / (2 * nn)) / (1 + z * z / nn)
            let half = z / (1 + z * z / nn) * (ph * (1 - ph) / nn + z * z / (4 * nn * nn)).squareRoot()
            return (max(0, centre - half), min(1, centre + half))
        }
    }

    /// The stability curve and the tipping size.
    public struct Curve: Sendable {
        public var points: [Point]
        /// Where P(recovered) falls through one half (interpolated between the bracketing sizes), with bounds: the
        /// largest size shown to recover more often than not, and the smallest shown to stay down more often than
        /// not (95% Wilson intervals), falling back on the bracket. nil when no size tried stays down.
        public var tipping: (estimate: Double, low: Double, high: Double)?
        /// True when even the smallest size tried stays down more often than not.
        public var downAtSmallest = false
    }

    /// Finds the tipping size: starting from `start`, doubles the size until P(recovered) < 1/2 (at most
    /// `maxSize`), or halves it while it stays below; then bisects the bracket `steps` times.
    public static func search(start: Double, maxSize: Double, minSize: Double, steps: Int, evaluate: (Double) -> Point) -> Curve {
        var points: [Point] = []
        func at(_ size: Double) -> Point {
            if let p = points.first(where: { $0.size == size }) { return p }
            let p = evaluate(size)
            points.append(p)
            return p
        }
        var lo: Double?, hi: Double?
        let first = at(start)
        if first.p >= 0.5 {
            lo = start
            var size = start
            while size < maxSize {
                size = min(maxSize, size * 2)
                if at(size).p < 0.5 { hi = size; break }
                lo = size
            }
        } else {
            hi = start
            var size = start
            while size > minSize {
                size = max(minSize, size / 2)
                if at(size).p >= 0.5 { lo = size; break }
                hi = size
            }
        }
        guard let hiSize = hi else { return Curve(points: points.sorted { $0.size < $1.size }, tipping: nil) }
        guard var a = lo else {
            return Curve(points: points.sorted { $0.size < $1.size }, tipping: nil, downAtSmallest: true)
        }
        var b = hiSize
        for _ in 0..<steps {
            let mid = (a + b) / 2
            if at(mid).p >= 0.5 { a = mid } else { b = mid }
        }
        let sorted = points.sorted { $0.size < $1.size }
        let pa = at(a).p, pb = at(b).p
        let estimate = pa == pb ? (a + b) / 2 : a + (pa - 0.5) / (pa - pb) * (b - a)
        let low = sorted.filter { $0.size <= estimate && $0.interval.low > 0.5 }.map(\.size).max() ?? a
        let high = sorted.filter { $0.size >= estimate && $0.interval.high < 0.5 }.map(\.size).min() ?? b
        return Curve(points: sorted, tipping: (estimate, min(low, estimate), max(high, estimate)))
    }
}
