/// Envoy's outlier detection for one balancer set: for each balancer (scope unit) and each instance it sends to,
/// the answers it saw, and whether it has ejected that instance. Consecutive errors eject at once; the interval's
/// sweep (an `outlierSweep` event) brings instances back, lowers the multiplier of those that stayed healthy, and
/// ejects on success rate and failure percentage (Envoy's `outlier_detection_impl.cc`, non-split mode).
///
/// State is flat, indexed `unit * instances + position`, so a fleet of 10 hosts with 100 client hosts is 1,000
/// small records and no allocation per answer.
struct OutlierDetector {
    let config: OutlierDetection
    let units: Int
    let count: Int
    var consecutive5xx: [Int32]
    var consecutiveGateway: [Int32]
    /// Answers and errors in the current interval.
    var requests: [Int32]
    var failures: [Int32]
    var ejected: [Bool]
    var ejectedAt: [SimTime]
    /// Envoy's `num_ejections`: the ejection-time multiplier.
    var multiplier: [Int32]
    var ejectedCount: [Int32]
    /// Per position, over every unit: ejections, and ejected time in ns (for `instances.csv`).
    var ejections: [Int]
    var ejectedTime: [Int64]
    /// The enforcing draws.
    var rng: Xoshiro256

    init(_ config: OutlierDetection, units: Int, count: Int, rng: Xoshiro256) {
        self.config = config
        self.units = units
        self.count = count
        let n = units * count
        consecutive5xx = [Int32](repeating: 0, count: n)
        consecutiveGateway = consecutive5xx
        requests = consecutive5xx
        failures = consecutive5xx
        multiplier = consecutive5xx
        ejected = [Bool](repeating: false, count: n)
        ejectedAt = [SimTime](repeating: .zero, count: n)
        ejectedCount = [Int32](repeating: 0, count: units)
        ejections = [Int](repeating: 0, count: count)
        ejectedTime = [Int64](repeating: 0, count: count)
        self.rng = rng
    }

    /// An answer (or a timeout) of instance `position` to balancer `unit`: `error` for a 5xx, a refusal of a full
    /// queue (503) or a timeout (504); `gateway` for 502, 503 or 504. - Returns: true when it ejected the instance.
    mutating func record(unit: Int, position: Int, error: Bool, gateway: Bool, now: SimTime) -> Bool {
        let k = unit * count + position
        requests[k] &+= 1
        guard error else {
            consecutive5xx[k] = 0
            consecutiveGateway[k] = 0
            return false
        }
        failures[k] &+= 1
        guard !ejected[k] else { return false }
        consecutive5xx[k] &+= 1
        if gateway { consecutiveGateway[k] &+= 1 } else { consecutiveGateway[k] = 0 }
        // Envoy fires each detection when its counter reaches the threshold, then resets the counters on ejection.
        if consecutive5xx[k] == config.consecutive5xx && enforced(config.enforcingConsecutive5xx) {
            return eject(unit: unit, position: position, now: now)
        }
        if gateway && consecutiveGateway[k] == config.consecutiveGatewayFailure
            && enforced(config.enforcingConsecutiveGatewayFailure)
        {
            return eject(unit: unit, position: position, now: now)
        }
        return false
    }

    mutating func enforced(_ percent: Double) -> Bool {
        percent >= 100 || (percent > 0 && rng.nextUnit() * 100 < percent)
    }

    /// Ejects unless that would pass the maximum ejection percent; one instance may always be ejected.
    mutating func eject(unit: Int, position: Int, now: SimTime) -> Bool {
        let k = unit * count + position
        let after = Double(ejectedCount[unit] + 1) * 100 / Double(count)
        guard after <= config.maxEjectionPercent || ejectedCount[unit] == 0 else { return false }
        ejected[k] = true
        ejectedAt[k] = now
        multiplier[k] &+= 1
        ejectedCount[unit] &+= 1
        ejections[position] += 1
        consecutive5xx[k] = 0
        consecutiveGateway[k] = 0
        return true
    }

    mutating func uneject(_ k: Int, now: SimTime) {
        ejected[k] = false
        ejectedCount[k / count] &-= 1
        ejectedTime[k % count] += (now - ejectedAt[k]).nanoseconds
    }

    /// The interval's sweep. - Returns: whether any instance was ejected or came back.
    mutating func sweep(now: SimTime) -> Bool {
        var changed = false
        for unit in 0..<units {
            let base = unit * count
            for position in 0..<count {
                let k = base + position
                if ejected[k] {
                    let time = min(
                        config.baseEjectionTime.nanoseconds.multipliedReportingOverflow(by: Int64(multiplier[k])).partialValue,
                        max(config.baseEjectionTime.nanoseconds, config.maxEjectionTime.nanoseconds))
                    if (now - ejectedAt[k]).nanoseconds >= time {
                        uneject(k, now: now)
                        changed = true
                    }
                } else if multiplier[k] > 0 {
                    multiplier[k] -= 1  // a healthy interval takes one off the next ejection's time
                }
            }
            changed = successRate(unit: unit, now: now) || changed
            changed = failurePercentage(unit: unit, now: now) || changed
            for position in 0..<count {
                requests[base + position] = 0
                failures[base + position] = 0
            }
        }
        return changed
    }

    /// Ejects the instances whose success rate over the interval is below mean - factor/1000 x stdev of those with
    /// enough requests, when enough have.
    mutating func successRate(unit: Int, now: SimTime) -> Bool {
        let base = unit * count
        var rates: [(Int, Double)] = []
        for position in 0..<count where !ejected[base + position] {
            let n = requests[base + position]
            if n > 0 && Int(n) >= config.successRateRequestVolume {
                rates.append((position, Double(n - failures[base + position]) / Double(n) * 100))
            }
        }
        guard !rates.isEmpty, rates.count >= config.successRateMinimumHosts else { return false }
        let mean = rates.reduce(0) { $0 + $1.1 } / Double(rates.count)
        let variance = rates.reduce(0) { $0 + ($1.1 - mean) * ($1.1 - mean) } / Double(rates.count)
        let threshold = mean - config.successRateStdevFactor / 1000 * variance.squareRoot()
        var changed = false
        for (position, rate) in rates where rate < threshold && enforced(config.enforcingSuccessRate) {
            changed = eject(unit: unit, position: position, now: now) || changed
        }
        return changed
    }

    /// Ejects the instances whose failure percentage over the interval is at least the threshold, when enough
    /// instances had enough requests.
    mutating func failurePercentage(unit: Int, now: SimTime) -> Bool {
        guard config.enforcingFailurePercentage > 0 else { return false }
        let base = unit * count
        var candidates: [(Int, Double)] = []
        for position in 0..<count where !ejected[base + position] {
            let n = requests[base + position]
            if n > 0 && Int(n) >= config.failurePercentageRequestVolume {
                candidates.append((position, Double(failures[base + position]) / Double(n) * 100))
            }
        }
        guard !candidates.isEmpty, candidates.count >= config.failurePercentageMinimumHosts else { return false }
        var changed = false
        for (position, failed) in candidates where failed >= config.failurePercentageThreshold
            && enforced(config.enforcingFailurePercentage)
        {
            changed = eject(unit: unit, position: position, now: now) || changed
        }
        return changed
    }

    /// At the end of the run: the time of ejections still running.
    mutating func finish(now: SimTime) {
        for k in ejected.indices where ejected[k] { ejectedTime[k % count] += (now - ejectedAt[k]).nanoseconds }
    }
}
