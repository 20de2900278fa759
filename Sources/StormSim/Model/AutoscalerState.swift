/// The live state of a service's autoscaler (`Autoscale`): how many of its instances are scaled (running or
/// starting) and how many serve, what each instance had worked at the last sync, and the recommendations of the
/// stabilization window. Positions are the service's instance indices (0 ..< max); the serving ones are always
/// the first `ready`, the starting ones the next `scaled - ready`.
struct AutoscalerState {
    let config: Autoscale
    var ready: Int
    var scaled: Int
    /// Per position: when it was scaled up and is due to serve (`.never`: not starting), and since when it
    /// serves.
    var readyDue: [SimTime]
    var readySince: [SimTime]
    /// Per position: its worker time at the last sync, in ns.
    var busyAtSync: [Int64]
    var lastSync = SimTime.zero
    /// Raw recommendations of the last `scaleDownStabilization`, oldest first.
    var history: [(time: SimTime, count: Int)] = []
    /// Serving instances over time (the `<service>_instances` column).
    var servingGauge: Gauge
    /// Instance-time scaled (running or starting), in ns, up to `lastChange`.
    var scaledTime: Int64 = 0
    var lastChange = SimTime.zero
    /// Scale-ups and scale-downs so far.
    var ups = 0
    var downs = 0

    init(_ config: Autoscale, column: Int, series: inout TimeSeries) {
        self.config = config
        ready = config.initial
        scaled = config.initial
        readyDue = [SimTime](repeating: .never, count: config.max)
        readySince = [SimTime](repeating: .zero, count: config.max)
        busyAtSync = [Int64](repeating: 0, count: config.max)
        servingGauge = Gauge(series: series, areaColumn: column)
        servingGauge.change(by: Double(config.initial), at: .zero, in: &series)
    }

    /// Counts the instance-time scaled up to `now`.
    mutating func account(now: SimTime) {
        scaledTime += Int64(scaled) * (now - lastChange).nanoseconds
        lastChange = now
    }

    /// The count the autoscaler settles on at a sync, from the raw recommendation `raw`: scale-downs stabilized
    /// (the highest recommendation of the window), scale-ups limited per sync, both within min...max.
    mutating func decide(raw: Int, now: SimTime) -> Int {
        history.append((now, raw))
        if let keep = history.firstIndex(where: { now - $0.time < config.scaleDownStabilization }) { history.removeFirst(keep) }
        var desired = scaled
        if desired < raw { desired = raw }
        let highest = history.reduce(raw) { max($0, $1.count) }
        if desired > highest { desired = highest }
        if desired > scaled { desired = min(desired, config.scaleUpLimit(from: scaled)) }
        return min(max(desired, config.min), config.max)
    }
}
