/// A span of simulated time in integer nanoseconds.
///
/// Durations and instants are different types (as in swift-nio's `TimeAmount` and `NIODeadline`) so that adding
/// two instants does not compile. Conversion to seconds happens only at the output edge.
public struct SimDuration: Hashable, Comparable, Sendable {
    public var nanoseconds: Int64

    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    public static let zero = SimDuration(nanoseconds: 0)
    /// The longest duration the engine represents: about 292 years. Arithmetic saturates here.
    public static let max = SimDuration(nanoseconds: Int64.max)

    public static func milliseconds(_ ms: Int64) -> SimDuration { SimDuration(nanoseconds: ms * 1_000_000) }
    public static func seconds(_ s: Int64) -> SimDuration { SimDuration(nanoseconds: s * 1_000_000_000) }

    /// Converts a non-negative number of nanoseconds held in a Double, saturating at `max` (never traps).
    public init(saturating ns: Double) {
        if !(ns > 0) { self.nanoseconds = 0 }  // NaN and negatives become zero
        else if ns >= 9.2e18 { self.nanoseconds = Int64.max }
        else { self.nanoseconds = Int64(ns) }
    }

    public var seconds: Double { Double(nanoseconds) / 1e9 }
    public var milliseconds: Double { Double(nanoseconds) / 1e6 }

    public static func < (a: SimDuration, b: SimDuration) -> Bool { a.nanoseconds < b.nanoseconds }
}

/// An instant of simulated time: nanoseconds since the start of the run.
public struct SimTime: Hashable, Comparable, Sendable {
    public var nanoseconds: Int64

    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    public static let zero = SimTime(nanoseconds: 0)
    /// Later than every event: used as "never".
    public static let never = SimTime(nanoseconds: Int64.max)

    public var seconds: Double { Double(nanoseconds) / 1e9 }

    /// The instant `d` later, saturating at `never` instead of overflowing.
    public static func + (t: SimTime, d: SimDuration) -> SimTime {
        let (sum, overflow) = t.nanoseconds.addingReportingOverflow(d.nanoseconds)
        return SimTime(nanoseconds: overflow ? Int64.max : sum)
    }

    public static func - (a: SimTime, b: SimTime) -> SimDuration {
        SimDuration(nanoseconds: a.nanoseconds &- b.nanoseconds)
    }

    public static func < (a: SimTime, b: SimTime) -> Bool { a.nanoseconds < b.nanoseconds }
}
