/// What happens when an event fires: the model's vocabulary, carried as the engine's opaque event code.
public enum EventKind: UInt8, Sendable {
    /// A client (payload `a` = client index) sends its next new request.
    case clientArrival
    /// An attempt (payload `a` = attempt slot) reaches its service.
    case attemptArrives
    /// A worker finishes serving an attempt (`a` = attempt slot, `b` = its generation: an attempt lost in a crash
    /// may have been freed since).
    case serviceDone
    /// A service's time before its downstream calls is over: it makes them (`a` = attempt slot, `b` = its
    /// generation).
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
    /// What a service can do changes: a fault window opens or closes (`a` = service index, `b` = fault index,
    /// high bit set when it closes), or, with `b`'s second bit set, a crash-prone instance (`a` = its index in
    /// `World.instances`) is checked for a crash (`b`'s low bit 0) or restarts (1). One kind for both keeps the
    /// event switch as small as it was (each kind costs every event a little).
    case faultChanges
    /// Outlier detection's interval sweep of a balancer set (`a` = its index in `World.balancers`).
    case outlierSweep
    /// A hedging request's next hedge is due (`a` = request slot, `b` = its generation when armed).
    case hedgeDue
    /// A balancer probes an instance (`a` = balancer set, `b` = unit x instances + position).
    case healthProbe
    /// A message's visibility timeout or backoff runs out (`a` = message, `b` = the receipt it was set for).
    case queueTimer
}

/// `faultChanges` payloads.
enum ConditionChange {
    static let closes: UInt32 = 0x8000_0000
    static let instance: UInt32 = 0x4000_0000
    static let crashCheck = instance
    static let restart = instance | 1
    /// An instance scaled up is due to serve (`a` = the instance).
    static let ready = instance | 2
    /// An autoscaler's sync (`a` = the service).
    static let autoscaleSync: UInt32 = 0x2000_0000
}

extension Event {
    /// The kind, from the event's code, which always holds a valid kind (written from an `EventKind`, or copied
    /// from an event that was): no check needed.
    var kind: EventKind { unsafeBitCast(code, to: EventKind.self) }
}

extension EventQueue {
    /// Schedules an event of the model's `kind` on the heap side.
    @inline(__always)
    mutating func schedule(_ kind: EventKind, at time: SimTime, a: UInt32, b: UInt32 = 0) {
        schedule(code: kind.rawValue, at: time, a: a, b: b)
    }

    /// Schedules an event of the model's `kind` in FIFO lane `lane` (see `schedule(code:at:a:b:lane:)`).
    @inline(__always)
    mutating func schedule(_ kind: EventKind, at time: SimTime, a: UInt32, b: UInt32 = 0, lane: Int) {
        schedule(code: kind.rawValue, at: time, a: a, b: b, lane: lane)
    }
}
