/// A service's horizontal autoscaler (service key `autoscale`), as Kubernetes' HorizontalPodAutoscaler computes it
/// (`pkg/controller/podautoscaler`) for a CPU-utilization target.
///
/// Every `sync` (15 s) it measures the mean utilization of the instances that served through the whole last sync
/// period (worker time of the attempts they finished / their workers' time) and recommends
/// ceil(measured x utilization / target), unless utilization is within `tolerance` (10%) of the target. The
/// others (starting, or serving for less than a period) count at 0% when it scales up and not at all when it
/// scales down (HPA's rule for pods that are not ready), so one surge is not scaled up for twice.
/// A scale-down takes the highest recommendation of the last `scaleDownStabilization` (300 s); a scale-up adds at
/// most max(`scaleUpPercent` % of the current count, `scaleUpPods`) per sync (100%, 4); the result stays within
/// `min`...`max`. A new instance serves after `startup`; an instance scaled in leaves the balancers' picks at once
/// and finishes the work it holds. Instances start (and scale in) in order of their index: the ones serving are
/// always the first ones.
public struct Autoscale: Equatable, Sendable {
    /// Instances at the start (the service's `instances`), and the bounds.
    public var initial: Int
    public var min: Int
    public var max: Int
    /// The target mean utilization of the ready instances, above 0 and at most 1.
    public var target: Double
    public var sync: SimDuration = .seconds(15)
    public var tolerance: Double = 0.1
    public var startup: SimDuration = .seconds(30)
    public var scaleDownStabilization: SimDuration = .seconds(300)
    public var scaleUpPercent: Double = 100
    public var scaleUpPods: Int = 4

    public init(initial: Int, min: Int, max: Int, target: Double) {
        self.initial = initial
        self.min = min
        self.max = max
        self.target = target
    }

    /// HPA's raw recommendation from `measured` instances at mean utilization `utilization`, with `unready`
    /// more scaled (counted at 0% when scaling up): `current` when within the tolerance or when the rounding
    /// would move against the metric.
    public func recommendation(measured: Int, unready: Int, utilization: Double, current: Int) -> Int {
        guard measured > 0 else { return current }
        let ratio = utilization / target
        if abs(ratio - 1) <= tolerance { return current }
        var desired: Double
        if ratio > 1 && unready > 0 {
            // The instances not measured count at 0%: if that takes the surge back within the tolerance, or
            // below, hold.
            let diluted = utilization * Double(measured) / (target * Double(measured + unready))
            if diluted <= 1 + tolerance { return current }
            desired = (diluted * Double(measured + unready)).rounded(.up)
        } else {
            desired = (ratio * Double(measured)).rounded(.up)
        }
        desired = Swift.min(desired, Double(Int32.max))
        if (ratio > 1 && Int(desired) < current) || (ratio < 1 && Int(desired) > current) { return current }
        return Int(desired)
    }

    /// The most a scale-up may reach from `current` in one sync.
    public func scaleUpLimit(from current: Int) -> Int {
        Swift.max(Int((Double(current) * (1 + scaleUpPercent / 100)).rounded(.up)), current + scaleUpPods)
    }
}
