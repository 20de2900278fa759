/// The traffic sources: when each client sends a new request (a burst, Poisson processes with load changes,
/// closed loops, or a replayed trace), each client from its own random stream (a trace of rates from one stream
/// of its own). It decides only when; `World` makes the requests.
struct Arrivals {
    let arrival: Arrival
    /// Load changes over time (Poisson arrivals): candidates are drawn at the peak rate and thinned.
    let load: [LoadChange]
    let peakLoad: Double
    /// Per client (Poisson and closed arrivals): its arrival stream and how many requests it has sent. A burst
    /// needs neither: each client sends one request, request 0.
    var rng: [Xoshiro256] = []
    var requestCount: [UInt32] = []
    /// The normal draws' table, at hand for a closed loop's think times (see `Ziggurat.Table`).
    let normals = Ziggurat.table
    /// A burst: the clients in the order they send, when it is not their index order (a burst with a spread).
    /// Their times are drawn again when needed (the first draw of each client's stream), so a burst of ten
    /// million clients keeps 4 bytes per client, or none.
    var burstOrder: [UInt32] = []
    let burstClients: Int
    let streams: StreamFamily
    /// A trace: its rows, the one stream a trace of rates draws from, the row the rates are at, and the requests
    /// handed out so far (the next goes to client `traceSent mod count`).
    let trace: Trace?
    var traceRng = Xoshiro256(seed: 0)
    var traceRow = 0
    var traceSent = 0

    init(_ clients: Clients, streams: RandomStreams) {
        arrival = clients.arrival
        load = clients.load
        peakLoad = clients.load.reduce(1.0) { $0 * max(1, $1.peak) }
        let count = clients.count
        let family = StreamFamily(streams: streams, label: "client/arrival")
        self.streams = family
        switch clients.arrival {
        case .burst(let at, let spread):
            burstClients = count
            if spread > .zero {
                let times = (0..<count).map { Self.burstTime(client: $0, at: at, spread: spread, streams: family) }
                burstOrder = (0..<UInt32(count)).sorted { times[Int($0)] < times[Int($1)] || (times[Int($0)] == times[Int($1)] && $0 < $1) }
            }
        case .poisson, .closed:
            burstClients = 0
            requestCount = [UInt32](repeating: 0, count: count)
            rng = (0..<count).map { family.stream(UInt64($0)) }
        case .trace:
            burstClients = 0
            requestCount = [UInt32](repeating: 0, count: count)
        }
        if case .trace(let t) = clients.arrival {
            trace = t
            traceRng = StreamFamily(streams: streams, label: "client/arrival/trace").stream(0)
        } else {
            trace = nil
        }
    }

    /// A trace of rates: the time of the next arrival after `now` (nil: none, the last rate is 0). The rate is
    /// piecewise constant, so one exponential draw of unit mean is spent along it, row after row (the inverse of
    /// the integrated rate: an exact Poisson process).
    mutating func nextTraceArrival(after now: SimTime) -> SimTime? {
        guard let trace else { return nil }
        var budget = -PortableMath.log(1 - traceRng.nextUnit())
        var t = Double(max(now.nanoseconds, trace.times[0].nanoseconds))  // no arrival before the first row
        var row = traceRow
        while row + 1 < trace.times.count && Double(trace.times[row + 1].nanoseconds) <= t { row += 1 }
        while true {
            let perNanosecond = trace.rates[row] / 1e9
            let end = row + 1 < trace.times.count ? Double(trace.times[row + 1].nanoseconds) : .infinity
            if perNanosecond > 0 {
                let needed = budget / perNanosecond
                if t + needed < end {
                    traceRow = row
                    return SimTime.zero + SimDuration(saturating: t + needed)
                }
                budget -= perNanosecond * (end - t)
            }
            guard end < .infinity else { return nil }
            t = end
            row += 1
        }
    }

    /// When a burst's client sends: the burst's time plus an offset within the spread, the first draw of the
    /// client's own stream.
    static func burstTime(client: Int, at: SimDuration, spread: SimDuration, streams: StreamFamily) -> SimTime {
        guard spread > .zero else { return SimTime.zero + at }
        var rng = streams.stream(UInt64(client))
        return SimTime.zero + at + SimDuration(saturating: rng.uniform(0, Double(spread.nanoseconds)))
    }

    /// The client at position `i` of the burst, and when it sends.
    @inline(__always)
    func burstEntry(_ i: Int) -> (client: UInt32, time: SimTime) {
        guard case .burst(let at, let spread) = arrival else { preconditionFailure("not a burst") }
        let client = burstOrder.isEmpty ? UInt32(i) : burstOrder[i]
        return (client, Self.burstTime(client: Int(client), at: at, spread: spread, streams: streams))
    }

    /// Schedules each client's first arrival (a burst: its first one).
    mutating func start(queue: inout EventQueue) {
        switch arrival {
        case .burst:
            if burstClients > 0 { queue.schedule(.clientArrival, at: burstEntry(0).time, a: 0) }
        case .poisson(let rate, let until, let firstAt):
            // Candidates come at the peak rate (thinned in `next`); without load changes the peak is 1.
            let mean = Distribution.exponential(mean: SimDuration(saturating: 1e9 / (rate * peakLoad)))
            for c in rng.indices {
                let first = firstAt.map { SimTime.zero + $0 } ?? SimTime.zero + mean.sample(&rng[c])
                if first < .zero + until { queue.schedule(.clientArrival, at: first, a: UInt32(c)) }
            }
        case .closed(let think, let until):
            for c in rng.indices {
                let first = SimTime.zero + think.sample(&rng[c])
                if first < .zero + until { queue.schedule(.clientArrival, at: first, a: UInt32(c)) }
            }
        case .trace(let t):
            switch t.kind {
            case .requests: queue.schedule(.clientArrival, at: .zero + t.times[0], a: 0)
            case .rates: if let first = nextTraceArrival(after: .zero) { queue.schedule(.clientArrival, at: first, a: 0) }
            }
        }
    }

    /// The load multiplier at time t (the product of every load change active then).
    func loadFactor(at t: SimTime) -> Double {
        load.reduce(1.0) { $0 * $1.factor(at: t) }
    }

    /// A `clientArrival` event (`a`: a client, or a burst position): schedules the source's next arrival and
    /// returns the client that sends a new request now and that request's number, or nil when thinning drops
    /// this candidate.
    @inline(__always)
    mutating func next(_ a: UInt32, now: SimTime, queue: inout EventQueue) -> (client: UInt32, number: UInt32)? {
        let client: UInt32
        switch arrival {
        case .burst:
            let next = Int(a) + 1
            if next < burstClients { queue.schedule(.clientArrival, at: burstEntry(next).time, a: UInt32(next)) }
            return (burstEntry(Int(a)).client, 0)
        case .poisson(let rate, let until, _):
            client = a
            // With load changes, candidates come at the peak rate and each is kept with probability
            // rate(t) / peak (thinning), drawn from the client's own stream.
            let gap = -PortableMath.log(1 - rng[Int(a)].nextUnit()) * 1e9 / (rate * peakLoad)
            let next = now + SimDuration(saturating: gap)
            if next < .zero + until { queue.schedule(.clientArrival, at: next, a: a) }
            if !load.isEmpty && rng[Int(a)].nextUnit() * peakLoad >= loadFactor(at: now) { return nil }
        case .closed:
            client = a
        case .trace(let t):
            // A trace of requests: `a` counts them (row a / perRow); a trace of rates: the next in turn.
            switch t.kind {
            case .requests:
                let next = Int(a) + 1
                if next < t.times.count * t.perRow { queue.schedule(.clientArrival, at: .zero + t.times[next / t.perRow], a: UInt32(next)) }
                client = UInt32(Int(a) % requestCount.count)
            case .rates:
                if let next = nextTraceArrival(after: now) { queue.schedule(.clientArrival, at: next, a: 0) }
                client = UInt32(traceSent % requestCount.count)
                traceSent += 1
            }
        }
        let number = requestCount[Int(client)]
        requestCount[Int(client)] &+= 1
        return (client, number)
    }

    /// A client's request ended: a closed-loop client thinks, then sends its next one.
    @inline(__always)
    mutating func requestEnded(client: UInt32, now: SimTime, queue: inout EventQueue) {
        if case .closed(let think, let until) = arrival {
            let next = now + think.sample(&rng[Int(client)], normals: normals)
            if next < .zero + until { queue.schedule(.clientArrival, at: next, a: client) }
        }
    }

    /// The largest valid `clientArrival` payload plus one (for invariant checks).
    var sources: Int {
        if let trace, trace.kind == .requests { return trace.times.count * trace.perRow }
        return burstClients > 0 ? burstClients : requestCount.count
    }
}
