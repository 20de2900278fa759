/// What happens when an event fires. The engine does not interpret kinds; the model does.
public enum EventKind: UInt8, Sendable {
    /// A client (payload `a` = client index) sends its next new request.
    case clientArrival
    /// An attempt (payload `a` = attempt slot) reaches its service.
    case attemptArrives
    /// A worker finishes serving an attempt (`a` = attempt slot).
    case serviceDone
    /// A service's time before its downstream calls is over: it makes them (`a` = attempt slot).
    case callReady
    /// A response reaches the client (`a` = attempt slot).
    case responseArrives
    /// A per-attempt timeout expires (`a` = attempt slot, `b` = the slot's generation when armed).
    case attemptTimeout
    /// A request's backoff is over and it sends its next attempt (`a` = request slot).
    case retryDue
    /// A request's wait for the client-side rate limiter is over: transmit the attempt (`a` = request slot).
    case attemptReady
    /// Optimistic concurrency: the version read reaches the client, which sends its write (`a` = attempt slot).
    case versionRead
    /// Optimistic concurrency: a conditional write reaches the row (`a` = attempt slot).
    case writeArrives
    /// A fault window opens or closes (`a` = service index, `b` = fault index, high bit set when it closes).
    case faultChanges
}

/// A pending event: a small value type, 24 bytes, with no references.
///
/// Events are ordered by `(time, sequence)`: simultaneous events fire in the order they were scheduled, never in
/// the order a heap happens to leave them. The kind shares a word with the sequence number (the sequence in the
/// high 56 bits, so it decides the order before the kind could).
public struct Event: Sendable {
    public var time: SimTime
    var sequenceAndKind: UInt64
    /// Model-defined payload: usually a slot index.
    public var a: UInt32
    /// Model-defined payload: usually a generation tag, for events that may have gone stale.
    public var b: UInt32

    init(time: SimTime, sequence: UInt64, kind: EventKind, a: UInt32, b: UInt32) {
        self.time = time
        self.sequenceAndKind = sequence << 8 | UInt64(kind.rawValue)
        self.a = a
        self.b = b
    }

    init(time: SimTime, sequenceAndKind: UInt64, a: UInt32, b: UInt32) {
        self.time = time
        self.sequenceAndKind = sequenceAndKind
        self.a = a
        self.b = b
    }

    /// The kind, from the low byte, which always holds a valid kind (written from an `EventKind`, or copied from an
    /// event that was): no check needed.
    public var kind: EventKind { unsafeBitCast(UInt8(truncatingIfNeeded: sequenceAndKind), to: EventKind.self) }
    public var sequence: UInt64 { sequenceAndKind >> 8 }
}
