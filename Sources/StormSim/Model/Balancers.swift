/// How the callers of a service with several instances pick one for each attempt: one `BalancerSet` per (caller,
/// service), holding a balancer per scope unit (per client, per host, or one for all). Services with one instance
/// need none: the pick is that instance, with no state and no draw, so single-instance scenarios are unchanged.
///
/// Every pick is a pure function of the balancer's state and keyed draws of the attempt, so the same attempt picks
/// the same way in every variant (common random numbers) and on every machine.
struct BalancerSet {
    let kind: Balancer.Kind
    /// The service it picks among the instances of.
    let service: Int
    let choices: Int
    /// The service's instances: `first ..< first + count` in `World.instances`.
    let first: Int
    let count: Int
    /// The instances it picks among: the first `live` (all of them, unless an autoscaler has scaled the fleet in).
    var live: Int
    /// Round robin: the next instance (0 ..< count) of each unit.
    var next: [UInt32] = []
    /// Least request: per unit and instance, the attempts that unit's balancer has in flight there.
    var active: [Int32] = []
    /// Ring hash: points of the ring in hash order, and the instance each belongs to.
    var ringHashes: [UInt64] = []
    var ringInstances: [UInt32] = []
    /// Salt of the keyed draws of random and least-request picks.
    let drawSalt: UInt64
    let hosts: Int
    /// Outlier detection and active health checks, when the service has them.
    var detector: OutlierDetector?
    var health: HealthChecker?
    /// Either of them: some instances may be out of the picks.
    let watches: Bool
    /// Outlier detection is on (read on every answer: testing the optional `detector` copies it).
    let detects: Bool
    /// It hears how attempts end: least request counts them in flight, outlier detection counts errors.
    var listens: Bool { kind == .leastRequest || detects }
    /// Whose balancer serves a client: `scope`, except that a ring hash is one balancer and so is a host scope
    /// on one host (no division per pick).
    let unitScope: PolicyScope
    let units: Int
    /// Per unit, the positions it may pick: the healthy ones first (`healthyCount[u]` of them), in order.
    var healthy: [UInt32] = []
    var healthyCount: [Int32] = []
    let panicThreshold: Double

    /// Instance weights (empty: equal). Round robin is then nginx's smooth weighted round robin (each balancer's
    /// `current` credits), random picks in proportion, least request keeps the candidate with the highest weight /
    /// (active + 1) (Envoy's effective weight, bias 1), and the ring gives each instance points in proportion.
    var weights: [Double] = []
    var current: [Double] = []
    /// Slow start: the ramp, and per unit and position when the instance came back (`SimTime.never`: not ramping).
    let slowStart: (window: SimDuration, aggression: Double, minWeightPercent: Double)?
    var returnedAt: [SimTime] = []
    /// Weighted picks: instance weights, or slow start (the weighted rules then use weight 1 by default).
    let weighted: Bool
    /// Round robin over every instance, unweighted and unwatched: the common pick, taken without the general
    /// machinery (`nextInTurn`).
    let plainRoundRobin: Bool

    /// A ring hash on hot keys: the cumulative Zipf popularity of the keys (empty: the ring hashes the client).
    var zipf: ZipfPopularity? = nil
    let zipfSalt: UInt64

    /// Points on a ring hash's ring: Envoy's minimum ring size.
    static let ringPoints = 1024

    init(
        _ balancer: Balancer, outliers: OutlierDetection?, healthCheck: HealthCheck? = nil, weights: [Double]? = nil,
        autoscaled: Bool = false, service: Int, instances: Range<Int>, callerClients: Int, callerHosts: Int, streams: RandomStreams, label: String
    ) {
        kind = balancer.kind
        self.service = service
        panicThreshold = balancer.panicThreshold
        slowStart = balancer.kind == .ringHash ? nil : balancer.slowStart
        choices = balancer.choices
        first = instances.lowerBound
        count = instances.count
        live = instances.count
        hosts = callerHosts
        drawSalt = streams.key("balancer/\(label)draw")
        zipfSalt = streams.key("balancer/zipf/\(service)")
        zipf = balancer.zipf.map { ZipfPopularity(keys: $0.keys, exponent: $0.exponent) }
        unitScope = kind == .ringHash || (balancer.scope == .host && callerHosts <= 1) ? .global : balancer.scope
        let units = Self.units(unitScope, clients: callerClients, hosts: callerHosts)
        self.units = units
        if let weights, Set(weights).count > 1 { self.weights = weights }
        weighted = !self.weights.isEmpty || slowStart != nil
        plainRoundRobin = balancer.kind == .roundRobin && !weighted && outliers == nil && healthCheck == nil && !autoscaled
        if weighted && balancer.kind == .roundRobin { current = [Double](repeating: 0, count: units * count) }
        if slowStart != nil { returnedAt = [SimTime](repeating: .never, count: units * count) }
        if let outliers {
            let family = StreamFamily(streams: streams, label: "balancer/\(label)outliers")
            detector = OutlierDetector(outliers, units: units, count: count, rng: family.stream(0))
        }
        if let healthCheck { health = HealthChecker(healthCheck, units: units, count: count) }
        watches = outliers != nil || healthCheck != nil
        detects = outliers != nil
        if watches {
            healthy = (0..<units).flatMap { _ in (0..<UInt32(count)).map { $0 } }
            healthyCount = [Int32](repeating: Int32(count), count: units)
        }
        switch kind {
        case .roundRobin:
            // gRPC's round_robin and Envoy both start each balancer at a random index, so that callers do not all
            // send their first attempts to the first instance; "zero" keeps that herd on purpose.
            let family = StreamFamily(streams: streams, label: "balancer/\(label)start")
            next = (0..<units).map { u in
                guard balancer.randomStart else { return 0 }
                var rng = family.stream(UInt64(u))
                return UInt32(rng.nextInt(below: UInt64(count)))
            }
        case .leastRequest:
            active = [Int32](repeating: 0, count: units * count)
        case .ringHash:
            // Each instance owns a share of the ring's points (equal, or in proportion to its weight), at hashes
            // of (service, instance, point).
            let perInstance = max(1, (Self.ringPoints + count - 1) / count)
            var points: [(UInt64, UInt32)] = []
            points.reserveCapacity(perInstance * count)
            let ringKey = streams.key("balancer/ring/\(service)")
            let total = weights?.reduce(0, +) ?? 0
            for i in 0..<count {
                let own = self.weights.isEmpty ? perInstance
                    : max(1, Int((Double(Self.ringPoints) * self.weights[i] / total).rounded()))
                for p in 0..<own {
                    points.append((DrawKey.child(DrawKey.child(ringKey, UInt64(i)), UInt64(p)), UInt32(i)))
                }
            }
            points.sort { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
            ringHashes = points.map(\.0)
            ringInstances = points.map(\.1)
        case .random:
            break
        }
    }

    /// The ring key of a request under hot keys: the Zipf key its request key draws (the same for every attempt
    /// of the request and in every variant).
    func hotKey(request key: UInt64) -> UInt64 {
        var draw = DrawKey.source(key, zipfSalt)
        return DrawKey.child(zipfSalt, UInt64(zipf!.key(draw.nextUnit())))
    }

    /// Balancers of a scope for a caller with `clients` clients on `hosts` hosts.
    static func units(_ scope: PolicyScope, clients: Int, hosts: Int) -> Int {
        switch scope {
        case .client: return max(1, clients)
        case .host: return max(1, min(hosts, clients))
        case .global: return 1
        }
    }

    /// The balancer of a caller's client (client c runs on host c mod hosts). A ring hash is one balancer.
    @inline(__always)
    func unit(client: UInt32) -> Int {
        switch unitScope {
        case .client: return Int(client)
        case .host: return Int(client) % hosts
        case .global: return 0
        }
    }

    /// Picks an instance (an index into `World.instances`) for an attempt of `client` with draw key `key`, avoiding
    /// `avoid` (a mask of instance positions) when it can; `ringKey` places the request on a ring hash.
    @inline(__always)
    mutating func pick(client: UInt32, key: UInt64, ringKey: UInt64, avoid: UInt32, reselect: Int, now: SimTime = .zero) -> Int {
        var draw = DrawKey.source(key, drawSalt)
        var chosen = pickOnce(client: client, draw: &draw, ringKey: ringKey, salt: 0, now: now)
        var tries = 0
        while tries < reselect && avoid & Self.bit(chosen) != 0 {
            tries += 1
            chosen = pickOnce(client: client, draw: &draw, ringKey: ringKey, salt: UInt64(tries), now: now)
        }
        if kind == .leastRequest { active[unit(client: client) * count + chosen] += 1 }
        return first + chosen
    }

    /// Plain round robin's pick (an index into `World.instances`): the next instance in the client's unit's turn.
    @inline(__always)
    mutating func nextInTurn(client: UInt32) -> Int {
        let u = unit(client: client)
        let i = Int(next[u])
        next[u] = i + 1 == count ? 0 : UInt32(i + 1)
        return first + i
    }

    /// The bit of position `i` in a mask of instances tried (positions 32 apart share a bit).
    @inline(__always)
    static func bit(_ i: Int) -> UInt32 { 1 << UInt32(i & 31) }

    /// How many positions unit `u` picks among: every instance, unless outlier detection has ejected some and
    /// the healthy ones are not below the panic threshold (then only those, `healthy[u * count ..< ...]`).
    @inline(__always)
    func choosable(_ u: Int) -> (count: Int, filtered: Bool) {
        guard watches else { return (live, false) }
        let n = Int(healthyCount[u])
        if n == count || n == 0 || Double(n) * 100 < panicThreshold * Double(count) { return (count, false) }
        return (n, true)
    }

    /// The `i`-th position unit `u` may pick.
    @inline(__always)
    func position(_ i: Int, of u: Int, filtered: Bool) -> Int { filtered ? Int(healthy[u * count + i]) : i }

    /// The weight unit `u` gives position `p` now: its instance weight (1 without weights), ramped by slow start
    /// while it is back for less than the window.
    @inline(__always)
    func weight(_ u: Int, _ p: Int, now: SimTime) -> Double {
        let w = weights.isEmpty ? 1 : weights[p]
        guard let slowStart else { return w }
        let since = returnedAt[u * count + p]
        guard since < .never else { return w }
        let back = Double((now - since).nanoseconds) / Double(slowStart.window.nanoseconds)
        guard back < 1 else { return w }
        let factor = back <= 0 ? 0 : PortableMath.exp(PortableMath.log(back) / slowStart.aggression)
        return w * max(slowStart.minWeightPercent / 100, factor)
    }

    @inline(__always)
    mutating func pickOnce(client: UInt32, draw: inout SplitMix64, ringKey: UInt64, salt: UInt64, now: SimTime) -> Int {
        let u = unit(client: client)
        let (n, filtered) = choosable(u)
        switch kind {
        case .roundRobin where weighted:
            // Smooth weighted round robin: every candidate earns its weight, the richest is picked and pays the
            // total.
            let base = u * count
            var best = -1
            var total = 0.0
            for i in 0..<n {
                let p = position(i, of: u, filtered: filtered)
                let w = weight(u, p, now: now)
                current[base + p] += w
                total += w
                if best < 0 || current[base + p] > current[base + best] { best = p }
            }
            current[base + best] -= total
            return best
        case .random where weighted:
            var total = 0.0
            for i in 0..<n { total += weight(u, position(i, of: u, filtered: filtered), now: now) }
            var x = draw.nextUnit() * total
            for i in 0..<n {
                let p = position(i, of: u, filtered: filtered)
                x -= weight(u, p, now: now)
                if x < 0 { return p }
            }
            return position(n - 1, of: u, filtered: filtered)
        case .roundRobin:
            var i = Int(next[u])
            if i >= n { i %= n }  // fewer instances to pick from since the last pick
            next[u] = i + 1 == n ? 0 : UInt32(i + 1)
            return position(i, of: u, filtered: filtered)
        case .random:
            return position(Int(draw.nextInt(below: UInt64(n))), of: u, filtered: filtered)
        case .leastRequest:
            // Envoy's unweighted least request: draw `choices` instances (with replacement) and keep the first of
            // those with the fewest attempts in flight from this balancer.
            let base = u * count
            var best = position(Int(draw.nextInt(below: UInt64(n))), of: u, filtered: filtered)
            for _ in 1..<choices {
                let candidate = position(Int(draw.nextInt(below: UInt64(n))), of: u, filtered: filtered)
                if !weighted {
                    if active[base + candidate] < active[base + best] { best = candidate }
                } else if weight(u, candidate, now: now) / Double(active[base + candidate] + 1)
                    > weight(u, best, now: now) / Double(active[base + best] + 1)
                {
                    best = candidate
                }
            }
            return best
        case .ringHash:
            // The first point at or after the key's hash, wrapping round; a reselection tries a point drawn for
            // this attempt, so each retry of a request explores the ring anew.
            let h = salt == 0 ? ringKey : DrawKey.child(ringKey, draw.next())
            var lo = 0, hi = ringHashes.count
            while lo < hi {
                let mid = (lo + hi) >> 1
                if ringHashes[mid] < h { lo = mid + 1 } else { hi = mid }
            }
            var point = lo == ringHashes.count ? 0 : lo
            // Ejected or unhealthy instances are off the ring: walk on to the next point of a healthy one.
            if filtered {
                var steps = 0
                while isOut(Int(ringInstances[point])) && steps < ringHashes.count {
                    point = point + 1 == ringHashes.count ? 0 : point + 1
                    steps += 1
                }
            }
            return Int(ringInstances[point])
        }
    }

    /// An attempt that went to `instance` is no longer in flight for its caller: answered (`error`: a 5xx or a
    /// refusal; `gateway`: a 503) or timed out (both).
    @inline(__always)
    /// - Returns: the change in the number of instances out of the picks.
    mutating func finished(client: UInt32, instance: Int, error: Bool, gateway: Bool, now: SimTime) -> Int {
        let u = unit(client: client)
        if kind == .leastRequest { active[u * count + instance - first] -= 1 }
        if detects, detector!.record(unit: u, position: instance - first, error: error, gateway: gateway, now: now) {
            return rebuildHealthy(u, now: now)
        }
        return 0
    }

    /// An attempt that went to `instance` was cancelled by its caller.
    @inline(__always)
    mutating func cancelled(client: UInt32, instance: Int) {
        if kind == .leastRequest { active[unit(client: client) * count + instance - first] -= 1 }
    }

    /// The interval's sweep of outlier detection.
    mutating func sweep(now: SimTime) -> Int {
        guard detector != nil, detector!.sweep(now: now) else { return 0 }
        var change = 0
        for u in 0..<healthyCount.count { change += rebuildHealthy(u, now: now) }
        return change
    }

    /// An autoscaler changed the instances serving to the first `n`. Those that join start afresh: no smooth
    /// round-robin credit, and with slow start their ramp begins now.
    mutating func setLive(_ n: Int, now: SimTime) {
        let old = live
        live = n
        guard n > old else { return }
        for u in 0..<units {
            for p in old..<n {
                if !current.isEmpty { current[u * count + p] = 0 }
                if slowStart != nil { returnedAt[u * count + p] = now }
            }
        }
    }

    /// Whether the balancer (a ring hash has one) leaves out instance position `k` (ejected, or failing its
    /// health checks).
    func isOut(_ k: Int) -> Bool { (detector?.ejected[k] ?? false) || !(health?.healthy[k] ?? true) }

    /// A health probe's result for `position` as seen by unit `unit`.
    mutating func probed(unit: Int, position: Int, success: Bool, now: SimTime = .zero) -> Int {
        if health != nil, health!.record(unit: unit, position: position, success: success) { return rebuildHealthy(unit, now: now) }
        return 0
    }

    /// Unit `u`'s healthy positions, in order. With slow start, an instance that was out and is back starts its
    /// ramp now.
    /// - Returns: the change in the number of instances out of its picks.
    @discardableResult
    mutating func rebuildHealthy(_ u: Int, now: SimTime = .zero) -> Int {
        guard watches else { return 0 }
        let before = Int(healthyCount[u])
        if slowStart != nil {
            var wasIn = [Bool](repeating: false, count: count)
            for i in 0..<Int(healthyCount[u]) { wasIn[Int(healthy[u * count + i])] = true }
            if Int(healthyCount[u]) == count { wasIn = [Bool](repeating: true, count: count) }
            for position in 0..<count where !wasIn[position] && !isOut(u * count + position) {
                returnedAt[u * count + position] = now
            }
        }
        var n = 0
        for position in 0..<count where !isOut(u * count + position) {
            healthy[u * count + n] = UInt32(position)
            n += 1
        }
        healthyCount[u] = Int32(n)
        return before - n
    }
}
